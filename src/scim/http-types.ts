/** The framework-free shape of a SCIM call (STYLE: `handle(request) -> {status, body}`). */
export interface ScimRequest {
  /** `scim:<token name>`, the audit actor. */
  readonly actor: string;
  /** Absolute base URL of /scim/v2, for meta.location. */
  readonly base: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export interface ScimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}
