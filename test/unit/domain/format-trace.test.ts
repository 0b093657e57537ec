import { describe, expect, it } from 'vitest';
import { formatTrace } from '../../../src/domain/format-trace.js';
import { decideFor, DEV1, DEV2, held, mapping, stock } from './builders.js';

describe('formatTrace', () => {
  it('names the reason, the matched groups, the candidates and every licence of the outcome', () => {
    const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'], current: [held('bot-creator')] });
    const text = formatTrace(d);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Reason: ALLOCATED');
    expect(text).toContain('group "Dev1"');
    expect(text).toContain('1. citizen-developer (preference rank 2)');
    expect(text).toContain('2. attended-bot-runner (preference rank 3)');
    expect(text).toContain('Rule: PREFERENCE');
    expect(text).toContain('citizen-developer (primary): capacity 10, used 0, not held, available 10');
    expect(text).toContain('  target: bot-insight, citizen-developer, process-discovery');
    expect(text).toContain('  release: bot-creator (mapping)');
  });

  it('names the sold-out licence and shows the bundle did not fit', () => {
    const d = decideFor({ mappings: [DEV1, DEV2], groups: ['Dev1', 'Dev2'], pools: stock({ soldOut: ['bot-insight'] }) });
    const text = formatTrace(d);
    expect(text).toContain('Reason: BUNDLE_UNAVAILABLE');
    expect(text).toContain('does not fit');
    expect(text).toContain('bot-insight (addon): capacity 10, used 10, not held, available 0');
    expect(text).toContain('  missing: bot-insight');
  });

  it('explains a case-insensitive match, a suppressed primary and a deactivated user', () => {
    const ci = mapping('dev1', 'Dev1', ['citizen-developer'], { caseInsensitive: true });
    const kept = decideFor({ mappings: [ci], groups: ['DEV1'], current: [held('bot-creator', 'manual')] });
    const keptText = formatTrace(kept);
    expect(keptText).toContain('(matched as "DEV1")');
    expect(keptText).toContain('Manual allocations: kept: bot-creator; revoked: none');
    expect(keptText).toContain('citizen-developer not granted: the user keeps a manual primary licence');

    const gone = decideFor({ mappings: [ci], groups: ['DEV1'], current: [held('bot-creator', 'manual')], subject: { active: false } });
    const goneText = formatTrace(gone);
    expect(goneText).toContain('Reason: DEACTIVATED');
    expect(goneText).toContain('Rule: DEACTIVATED');
    expect(goneText).toContain('  release: bot-creator (manual)');
  });

  it('renders a trace read back from JSON, as the audit log stores it', () => {
    const d = decideFor({ mappings: [DEV1], groups: ['Dev1'] });
    const stored = JSON.parse(JSON.stringify({ reason: d.reason, trace: d.trace })) as Parameters<typeof formatTrace>[0];
    expect(formatTrace(stored)).toBe(formatTrace(d));
  });
});
