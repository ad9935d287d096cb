import { describe, expect, it } from 'vitest';
import { createCancel, createNon2xxAck, createResponse } from '../../../src/engine/message/index.js';
import { BASIC_INVITE, parseRequest, parseResponse, sip } from '../../helpers/sip-text.js';

const invite = () => parseRequest(sip([...BASIC_INVITE, 'Route: <sip:p1.example.com;lr>', 'Content-Length: 0']));

describe('message builders', () => {
  it('createResponse copies Via, From, To, Call-ID, CSeq and adds the To tag', () => {
    const req = invite();
    const res = createResponse(req, 486, { toTag: 'abc', headers: [['Retry-After', '30']] });
    const again = parseResponse(res.toBuffer());
    expect(again.status).toBe(486);
    expect(again.reason).toBe('Busy Here');
    expect(again.toTag).toBe('abc');
    expect(again.fromTag).toBe('1928301774');
    expect(again.get('via')).toBe(req.get('via'));
    expect(again.cseq).toEqual({ seq: 314159, method: 'INVITE' });
    expect(again.get('retry-after')).toBe('30');
    expect(again.has('route')).toBe(false);
  });

  it('never tags a 100 Trying and keeps an existing To tag', () => {
    expect(createResponse(invite(), 100, { toTag: 'x' }).toTag).toBeUndefined();
    const inDialog = parseRequest(sip([...BASIC_INVITE.map((l) => (l.startsWith('To:') ? 'To: <sip:bob@example.com>;tag=keep' : l)), 'Content-Length: 0']));
    expect(createResponse(inDialog, 200, { toTag: 'new' }).toTag).toBe('keep');
  });

  it('createNon2xxAck follows RFC 3261 §17.1.1.3', () => {
    const req = invite();
    const res = createResponse(req, 404, { toTag: 't404' });
    const ack = parseRequest(createNon2xxAck(req, res).toBuffer());
    expect(ack.method).toBe('ACK');
    expect(ack.uri).toBe(req.uri);
    expect(ack.cseq).toEqual({ seq: 314159, method: 'ACK' });
    expect(ack.toTag).toBe('t404');
    expect(ack.via?.branch).toBe(req.via?.branch);
    expect(ack.getAll('via')).toHaveLength(1);
    expect(ack.get('route')).toBe('<sip:p1.example.com;lr>');
  });

  it('createCancel matches the INVITE branch and CSeq number', () => {
    const req = invite();
    const cancel = parseRequest(createCancel(req, [['Reason', 'SIP;cause=200;text="Call completed elsewhere"']]).toBuffer());
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.via?.branch).toBe('z9hG4bK776asdhds');
    expect(cancel.cseq).toEqual({ seq: 314159, method: 'CANCEL' });
    expect(cancel.get('to')).toBe(req.get('to'));
    expect(cancel.get('reason')).toMatch(/cause=200/);
    expect(cancel.body.length).toBe(0);
  });
});
