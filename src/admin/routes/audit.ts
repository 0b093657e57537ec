import { route } from '../route.js';
import { auditPage, auditQuery } from '../schemas.js';
import { AUDIT_CSV_HEADER, auditCsv, auditRows, listAudit } from '../services/audit.js';

export const auditRoutes = [
  route({
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Audit events, newest first; `Accept: text/csv` streams every match as CSV',
    query: auditQuery,
    responses: { 200: { description: 'A page of events (JSON), or all of them (text/csv)', schema: auditPage } },
    handler: async ({ deps, query, req, res }) => {
      if (req.accepts(['application/json', 'text/csv']) !== 'text/csv') return { body: await listAudit(deps.db, query) };
      const { cursor: _cursor, limit: _limit, ...filter } = query;
      res.status(200).type('text/csv; charset=utf-8').attachment('audit.csv');
      res.write(AUDIT_CSV_HEADER);
      for await (const rows of auditRows(deps.db, filter)) {
        if (!res.write(auditCsv(rows))) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return undefined;
    },
  }),
];
