/**
 * REGISTER handling on drachtio-srf: digest authentication by the InboundPolicy, then
 * the RFC 3261 §10.3 rules against the registration store, and the contacts it keeps,
 * for ringing users. A user may register only their own address of record.
 *
 * @example
 *   const registrar = new RegistrarService({ config, store, policy, now });
 *   srf.register((req, res) => registrar.handle(req, res));
 *   registrar.contactsOf('alice'); // [{ uri, via }]
 */
import type Srf from 'drachtio-srf';
import type { InboundPolicy } from '../admission/index.js';
import type { Config } from '../config/index.js';
import type { TransportName } from '../engine/transport/types.js';
import { applyRegister, parseContactHeaders, parseExpiresHeader, type RegistrationStore } from '../registrar/index.js';
import type { RegisteredContact } from './call/dial-plan.js';
import { refuse, requestFacts } from './inbound.js';
import { userOf } from './user-of.js';

export interface RegistrarServiceOptions {
  readonly config: Config;
  readonly store: RegistrationStore;
  readonly policy: InboundPolicy;
  readonly now: () => number;
  readonly blockSource?: (address: string, forMs: number) => void;
}

export class RegistrarService {
  constructor(private readonly o: RegistrarServiceOptions) {}

  handle(req: Srf.SrfRequest, res: Srf.SrfResponse): void {
    const now = this.o.now();
    const a = this.o.policy.admit(requestFacts(req), now);
    if (a.kind !== 'user') {
      if (a.kind === 'trunk') return res.send(403, 'Forbidden', {});
      return refuse(res, a, req.source_address, this.o.blockSource, this.o.config.security.auth.block_for);
    }
    const aor = userOf(req.get('To') ?? '');
    if (aor !== a.user) return res.send(403, 'Forbidden', { headers: { Warning: `399 switchboard "${a.user} may not register ${aor}"` } });
    const contact = req.get('Contact');
    const parsed = parseContactHeaders(contact === undefined ? [] : [contact]);
    if (!parsed.ok) return res.send(400, 'Bad Request', {});
    const cseq = Number.parseInt(req.get('CSeq') ?? '', 10);
    const r = applyRegister(
      this.o.store,
      {
        user: a.user,
        contacts: parsed.contacts,
        expires: parseExpiresHeader(req.get('Expires')),
        callId: req.get('Call-ID') ?? '',
        cseq: Number.isFinite(cseq) ? cseq : 0,
        source: { address: req.source_address, port: Number(req.source_port), transport: transportOf(req.protocol) },
        now,
      },
      this.o.config.registrar,
    );
    const headers: Record<string, string> =
      r.status === 200 ? (r.contacts.length > 0 ? { Contact: r.contacts.join(', ') } : {}) : r.status === 423 ? { 'Min-Expires': String(r.minExpires) } : {};
    res.send(r.status, r.reason, { headers });
  }

  /** Live contacts of a user, best first, each reached through the address it registered from. */
  contactsOf(user: string): RegisteredContact[] {
    return this.o.store.bindings(user).map((b) => ({ uri: b.uri, via: `sip:${hostOf(b.source.address)}:${b.source.port};transport=${b.source.transport}` }));
  }
}

function transportOf(protocol: string): TransportName {
  return protocol.toLowerCase().startsWith('tcp') ? 'tcp' : 'udp';
}

function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
