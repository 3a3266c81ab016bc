import type { OutboundPlan } from '../outbound-plan.js';
import type { PreviewSummary } from './outbound-preview.service.js';

/** A plan as an operator reads it: the action and its cost, then each field from → to with its rule. */
export function describePlan(plan: OutboundPlan): string {
  const target = plan.ghlContactId ? `GHL contact ${plan.ghlContactId}` : 'a new GHL contact';
  const lines = [
    `contact ${plan.contactId} → ${target}: ${plan.action}, ${plan.apiCalls} GHL request(s)${plan.reason ? ` (${plan.reason})` : ''}`,
  ];
  const width = Math.max(0, ...plan.changes.map((change) => change.field.length));
  for (const change of plan.changes) {
    lines.push(`  ${change.field.padEnd(width)}  ${shown(change.from)} → ${shown(change.to)}  [${change.rule}]`);
  }
  if (plan.tagsToAdd.length > 0) lines.push(`  tags to add:    ${plan.tagsToAdd.join(', ')}`);
  if (plan.tagsToRemove.length > 0) lines.push(`  tags to remove: ${plan.tagsToRemove.join(', ')}`);
  return lines.join('\n');
}

export function describeSummary(summary: PreviewSummary): string {
  const actions = Object.entries(summary.byAction)
    .map(([action, count]) => `${action} ${count}`)
    .join(' · ');
  const spendable = summary.dailyRemaining - summary.dailyReserve;
  return [
    `${summary.contacts} contact(s) with pending TrainU changes: ${actions}`,
    `GHL requests to carry them out: ${summary.apiCalls}`,
    `GHL budget left today: ${summary.dailyRemaining} (outbound leaves ${summary.dailyReserve} to webhooks, so ${spendable} to spend): ${
      summary.fitsToday ? 'fits today' : 'does NOT fit today; the rest waits for tomorrow'
    }`,
  ].join('\n');
}

function shown(value: string | null): string {
  return value === null ? '(none)' : JSON.stringify(value);
}
