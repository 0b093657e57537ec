import type { AllocationService } from '../allocation/service.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import type { MembersJobs } from './members-job.js';

/** What the SCIM handlers need, built once when the feature is mounted. */
export interface ScimDeps {
  readonly db: Db;
  readonly allocation: AllocationService;
  readonly logger: Logger;
  readonly jobs: MembersJobs;
  /** Cap on `count` (ServiceProviderConfig filter.maxResults). */
  readonly maxResults: number;
  /** Users a group change re-decides inline before handing them to a job. */
  readonly inlineMax: number;
}
