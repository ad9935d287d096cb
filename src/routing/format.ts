/**
 * Human-readable rendering of decisions and traces, for `switchboard route` and logs.
 *
 * @example
 *   process.stdout.write(formatDecision(decision, { at: '2026-11-26T15:00:00Z' }));
 *   // rule     vip (#1)
 *   // actions
 *   //   1. queue support, priority 10
 *   // trace
 *   //   call  to "+18005550100", from "+14155550123", trunk carrier-a
 *   //   #1 vip  matched: to is "+18005550100"; header X-Tier is "gold"
 */
import { formatDuration } from '../config/duration.js';
import type { Action, ChainResolution, Decision, ResolvedTarget } from './decision.js';

function target(t: ResolvedTarget): string {
  const timeout = t.timeoutMs > 0 ? ` ${formatDuration(t.timeoutMs)}` : '';
  switch (t.kind) {
    case 'user': {
      const how = [t.registered ? 'registered' : 'not registered', ...(t.contacts.length > 0 ? [`static ${t.contacts.join(' ')}`] : [])];
      return `${t.user} (${how.join(', ')})${timeout}`;
    }
    case 'uri':
      return `${t.uri}${timeout}`;
    case 'number':
      return `${t.number} via ${t.trunk} [${t.gateways.join(', ')}]${timeout}`;
  }
}

const continues = (on: readonly string[]): string => (on.length === 0 ? 'ends the call' : `continue on ${on.join(', ')}`);

export function formatAction(a: Action): string {
  switch (a.kind) {
    case 'ring':
      return `ring ${a.mode}: ${a.targets.map(target).join('; ')} (${continues(a.continueOn)})`;
    case 'forward':
      return `forward${a.redirect ? ' (302 redirect)' : ''} to ${target(a.target)} (${continues(a.continueOn)})`;
    case 'voicemail':
      return `voicemail ${a.box} (${continues(a.continueOn)})`;
    case 'ivr':
      return `ivr ${a.menu}: keys ${Object.keys(a.options).join(' ')} (chains ivr.${a.menu}.options.KEY; on failure ${a.onFailure})`;
    case 'play':
      return `play ${a.files.join(', ')} (then the next step)`;
    case 'reject':
      return `reject ${a.status} ${a.reason}`;
    case 'queue':
      return `queue ${a.queue}, priority ${a.priority} (full: ${a.onFull}; timeout: ${a.onTimeout})`;
  }
}

export function formatResolution(r: ChainResolution): string {
  const lines = ['actions'];
  r.actions.forEach((a, i) => lines.push(`  ${i + 1}. ${formatAction(a)}`));
  lines.push('trace');
  for (const t of r.trace) {
    switch (t.kind) {
      case 'rule':
        lines.push(`  #${t.index + 1} ${t.rule}: ${t.detail}`);
        break;
      default:
        lines.push(`  ${t.kind}: ${t.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The decision as text: the rule, the actions in order, then the trace. */
export function formatDecision(d: Decision, header: { at: string }): string {
  const matched = d.trace.find((t) => t.kind === 'rule' && t.matched);
  const rule = d.rule === null ? '(none: default decision)' : `${d.rule}${matched?.kind === 'rule' ? ` (#${matched.index + 1})` : ''}`;
  return `at       ${header.at}\nrule     ${rule}\n${formatResolution(d)}`;
}
