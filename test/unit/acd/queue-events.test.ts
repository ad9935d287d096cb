import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acdAgentConfigs } from '../../../src/acd/agent-config.js';
import { AgentStates } from '../../../src/acd/agent-states.js';
import { QueueEvents, type QueueEventRecord } from '../../../src/acd/queue-events.js';
import { connectScheduler, type SchedulerFeed } from '../../../src/acd/scheduler-feed.js';
import { parseConfig } from '../../../src/config/load.js';
import { QueueScheduler } from '../../../src/routing/scheduler/index.js';
import { toSchedulerSpecs } from '../../../src/routing/scheduler-specs.js';
import { ManualClock } from '../../../src/util/clock.js';
import { yaml } from '../config/helpers.js';
import { FakeTimers } from '../registrar/fake-timers.js';

const T0 = 1_700_000_000_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-queue-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function logLines(path: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const config = parseConfig(
  yaml`
    users: { alice: { password: alice-secret } }
    agents: { alice: { wrap_up: 5s } }
    queues:
      support: { members: [alice], max_size: 2, max_wait: 60s }
  `,
  'queue-events.yaml',
);

describe('QueueEvents', () => {
  it('a queue day from the scheduler and the agent state machine: each event once, in order, timestamped, in the log', async () => {
    const timers = new FakeTimers(T0);
    const path = join(dir, 'log', 'queue.jsonl');
    const events = new QueueEvents({ clock: timers.clock, log: { path } });
    const seen: QueueEventRecord[] = [];
    events.on((e) => seen.push(e));
    const agents = new AgentStates({ agents: acdAgentConfigs(config), clock: timers.clock, timers });
    agents.onChange((c) => events.agentStateChanged(c));
    let feed: SchedulerFeed | undefined;
    const scheduler = new QueueScheduler(toSchedulerSpecs(config), {
      // The scheduler's event first, then what the agents make of it: cause before effect.
      onEvent: (e) => {
        events.fromScheduler(e);
        feed?.onSchedulerEvent(e);
      },
    });
    feed = connectScheduler(agents, scheduler);
    const now = () => timers.clock.now();

    agents.registered('alice');
    scheduler.enqueue({ callId: 'c1', queueId: 'support', priority: 1, now: now() });
    scheduler.dispatch(now());
    timers.advance(2_000);
    scheduler.offerAnswered('c1', 'alice', now());
    scheduler.enqueue({ callId: 'c2', queueId: 'support', now: now() });
    scheduler.enqueue({ callId: 'c3', queueId: 'support', now: now() });
    scheduler.enqueue({ callId: 'c4', queueId: 'support', now: now() }); // full: overflow
    timers.advance(10_000);
    scheduler.abandon('c2', now());
    timers.advance(20_000);
    scheduler.callEnded('c1', now());
    timers.advance(60_000);
    scheduler.dispatch(now()); // c3 waited past max wait; alice's wrap-up is over
    expect(events.stats.log?.buffered).toBeGreaterThan(0); // nothing waited for the disk
    await events.close();

    const summary = seen.map((e) => {
      const who = 'agentId' in e ? e.agentId : 'agentIds' in e ? e.agentIds.join(',') : '';
      const what = e.type === 'agent-state-changed' ? `${e.from}>${e.to}` : e.type === 'call-overflowed' ? e.reason : '';
      return [e.seq, e.at - T0, e.type, 'callId' in e ? e.callId : '', who, what].filter((x) => x !== '').join(' ');
    });
    expect(summary).toEqual([
      '1 0 agent-state-changed alice logged_out>available',
      '2 0 call-entered c1',
      '3 0 call-offered c1 alice',
      '4 0 agent-state-changed alice available>offered',
      '5 2000 call-answered c1 alice',
      '6 2000 agent-state-changed alice offered>on_call',
      '7 2000 call-entered c2',
      '8 2000 call-entered c3',
      '9 2000 call-overflowed c4 max-size',
      '10 12000 call-abandoned c2',
      '11 32000 call-completed c1 alice',
      '12 32000 agent-state-changed alice on_call>wrap_up',
      '13 37000 agent-state-changed alice wrap_up>available',
      '14 92000 call-overflowed c3 max-wait',
    ]);
    expect(seen.filter((e) => e.type === 'agent-state-changed')).toHaveLength(5); // the scheduler's own agent-state events are not repeated

    const lines = await logLines(path);
    expect(lines).toEqual(seen.map((e) => ({ ...e, at: new Date(e.at).toISOString() })));
    expect(lines[0]).toEqual({ seq: 1, at: '2023-11-14T22:13:20.000Z', type: 'agent-state-changed', agentId: 'alice', from: 'logged_out', to: 'available', reason: null, cause: 'registered' });
    expect(Object.keys(lines[1] as object)).toEqual(['seq', 'at', 'type', 'callId', 'queueId', 'priority']);
  });

  it('an event emitted by a listener is delivered after the current one to every listener', () => {
    const events = new QueueEvents({ clock: new ManualClock(T0) });
    const first: string[] = [];
    const second: string[] = [];
    events.on((e) => {
      first.push(`${e.seq}:${e.type}`);
      if (e.type === 'call-entered') events.emit({ type: 'call-abandoned', callId: e.callId, queueId: e.queueId, waitedMs: 0 });
    });
    events.on((e) => second.push(`${e.seq}:${e.type}`));
    events.emit({ type: 'call-entered', callId: 'c1', queueId: 'q', priority: 0 });
    expect(first).toEqual(['1:call-entered', '2:call-abandoned']);
    expect(second).toEqual(first);
  });

  it('a callback is requested once and completed once, only after it was requested', () => {
    const events = new QueueEvents({ clock: new ManualClock(T0) });
    const seen: string[] = [];
    events.on((e) => seen.push(e.type));
    const done = { callId: 'c1', queueId: 'q', result: 'connected', agentId: 'alice', attempts: 1 } as const;
    expect(events.callbackCompleted(done)).toBe(false);
    expect(events.callbackRequested({ callId: 'c1', queueId: 'q', number: '+14155550100', waitedMs: 90_000 })).toBe(true);
    expect(events.callbackRequested({ callId: 'c1', queueId: 'q', number: '+14155550100', waitedMs: 95_000 })).toBe(false);
    expect(events.callbackCompleted(done)).toBe(true);
    expect(events.callbackCompleted(done)).toBe(false);
    expect(seen).toEqual(['callback-requested', 'callback-completed']);
  });

  it('timestamps come from the source or the clock and never go backwards', () => {
    const clock = new ManualClock(T0 + 5_000);
    const events = new QueueEvents({ clock });
    const a = events.emit({ type: 'call-entered', callId: 'c1', queueId: 'q', priority: 0 });
    const b = events.emit({ type: 'call-entered', callId: 'c2', queueId: 'q', priority: 0 }, T0); // an earlier source instant
    clock.advance(1_000);
    const c = events.emit({ type: 'call-entered', callId: 'c3', queueId: 'q', priority: 0 });
    expect([a.at, b.at, c.at].map((t) => t - T0)).toEqual([5_000, 5_000, 6_000]);
    expect(events.stats).toEqual({ emitted: 3, log: undefined });
  });

  it('a listener that throws is logged; the others still get the event', () => {
    const entries: Array<{ msg: string }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void entries.push(JSON.parse(line) as { msg: string }) });
    const events = new QueueEvents({ clock: new ManualClock(T0), logger });
    const seen: number[] = [];
    events.on(() => {
      throw new Error('boom');
    });
    events.on((e) => seen.push(e.seq));
    events.emit({ type: 'call-entered', callId: 'c1', queueId: 'q', priority: 0 });
    expect(seen).toEqual([1]);
    expect(entries.map((e) => e.msg)).toEqual(['queue event listener failed']);
  });

  it('close() during a burst: every event emitted before it is in the log, in order', async () => {
    const path = join(dir, 'queue.jsonl');
    const events = new QueueEvents({ clock: new ManualClock(T0), log: { path, maxBufferedRecords: 100_000 } });
    for (let turn = 0; turn < 10; turn++) {
      for (let i = 0; i < 500; i++) events.emit({ type: 'call-entered', callId: `c${turn * 500 + i}`, queueId: 'q', priority: 0 });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await events.close();
    const lines = await logLines(path);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    expect(events.stats.log).toEqual({ written: 5_000, dropped: 0, buffered: 0 });
  });
});
