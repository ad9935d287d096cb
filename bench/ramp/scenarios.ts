/**
 * The SIPp scenario pairs the load runner knows (files in bench/sipp/), with the keys
 * each file needs. In a scenario that Switchboard answers itself (the registration
 * storm) the UAS is a stand-in used only for the SIPp → SIPp baseline.
 *
 * @example
 *   const s = SCENARIOS.basic;
 *   startSipp({ args: ['-sf', s.uac, ...keyArgs(s.uacKeys({ holdMs: 0 }))], … });
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** bench/sipp from bench/ramp (tsx) or from dist/bench/ramp (compiled). */
export const SIPP_DIR: string =
  [resolve(here, '../sipp'), resolve(here, '../../../bench/sipp')].find((d) => {
    try {
      return readdirSync(d).includes('basic-uac.xml');
    } catch {
      return false;
    }
  }) ?? resolve(here, '../sipp');

export type ScenarioName = 'basic' | 'hold' | 'overload' | 'register';

export interface Scenario {
  readonly name: ScenarioName;
  readonly uac: string;
  readonly uas: string;
  /** Switchboard answers the UAC itself: no UAS behind it, and `user` goes into its config. */
  readonly answeredBySwitchboard: boolean;
  readonly user: { readonly name: string; readonly password: string } | undefined;
  readonly uacKeys: (o: { holdMs: number }) => Record<string, string>;
  readonly uasKeys: Record<string, string>;
  /** Extra SIPp arguments for the UAC (credentials). */
  readonly uacArgs: readonly string[];
  /** What must exist in Switchboard before this scenario can pass, if anything. */
  readonly needs: string | undefined;
}

const uasKeys = { ring_ms: '0', linger_ms: '0' };
const callerKeys = ({ holdMs }: { holdMs: number }): Record<string, string> => ({ caller: 'bench', hold_ms: String(holdMs), linger_ms: '0' });

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  basic: { name: 'basic', uac: join(SIPP_DIR, 'basic-uac.xml'), uas: join(SIPP_DIR, 'basic-uas.xml'), uacKeys: callerKeys, uasKeys, uacArgs: [], needs: undefined, answeredBySwitchboard: false, user: undefined },
  hold: { name: 'hold', uac: join(SIPP_DIR, 'hold-uac.xml'), uas: join(SIPP_DIR, 'hold-uas.xml'), uacKeys: callerKeys, uasKeys, uacArgs: [], needs: undefined, answeredBySwitchboard: false, user: undefined },
  overload: { name: 'overload', uac: join(SIPP_DIR, 'overload-uac.xml'), uas: join(SIPP_DIR, 'basic-uas.xml'), uacKeys: callerKeys, uasKeys, uacArgs: [], needs: undefined, answeredBySwitchboard: false, user: undefined },
  register: {
    name: 'register',
    uac: join(SIPP_DIR, 'register-uac.xml'),
    uas: join(SIPP_DIR, 'register-uas.xml'),
    answeredBySwitchboard: true,
    user: { name: 'bench-user', password: 'bench-secret' },
    uacKeys: () => ({ expires_s: '300' }),
    uasKeys: {},
    // SIPp expands no keywords inside [authentication]: one user (-au/-ap) for the whole storm.
    uacArgs: ['-au', 'bench-user', '-ap', 'bench-secret', '-s', 'bench-user'],
    needs: 'a registrar that challenges with MD5 (SIPp 3.6 answers MD5 only)',
  },
};

/** `-key name value` pairs. */
export function keyArgs(keys: Record<string, string>): string[] {
  return Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]);
}
