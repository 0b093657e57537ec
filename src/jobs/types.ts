/**
 * The contract of redistribution jobs (SPEC §3), shared by the admin API, the CLI and the runner.
 */
export type RedistributionScope =
  | { readonly all: true }
  | { readonly role: string }
  | { readonly mapping: string }
  | { readonly user: string };

export interface RedistributionParams {
  readonly scope: RedistributionScope;
  readonly redistributeManual: boolean;
  readonly dryRun: boolean;
  /** Users per batch transaction (default from config jobs.batchSize, 500). */
  readonly batchSize?: number;
  /**
   * Capacities to lower as part of the run (the admin API's forced capacity cut), by license key:
   * the youngest holders give their seat back, mapping-origin rows before manual ones, and the
   * pool's capacity follows the seats down so no one takes them meanwhile.
   */
  readonly capacity?: Readonly<Record<string, number>>;
  /** The cron slot a scheduled run belongs to (ISO time): one run per slot across instances. */
  readonly scheduledFor?: string;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly status: JobStatus;
  readonly actor: string;
  readonly params: unknown;
  readonly processed: number;
  readonly total: number;
  /** Per-reason counts, seats acquired/released per license, and for dry runs the diff. */
  readonly summary: unknown;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface JobService {
  /** Persists a queued job and starts it in the background; 409 when one is already running. */
  startRedistribution(params: RedistributionParams, actor: string): Promise<JobView>;
  get(id: string): Promise<JobView>;
  list(opts: { status?: JobStatus; limit?: number; cursor?: string }): Promise<{ items: JobView[]; nextCursor: string | null }>;
  /** Cancels between batches. */
  cancel(id: string, actor: string): Promise<JobView>;
  /** Resolves when no job of this process is running (graceful shutdown, tests). */
  idle(): Promise<void>;
}
