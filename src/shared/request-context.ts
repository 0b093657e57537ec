import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request values every log line of that request carries. */
export interface RequestContext {
  requestId: string;
  actor?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
