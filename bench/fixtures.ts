/** Messages shaped like SIPp's built-in uac scenario, shared by the benchmarks. */

export const SIPP_INVITE =
  'INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5061>;tag=4242SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5060>\r\n' +
  'Call-ID: 1-4242@127.0.0.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Contact: sip:sipp@127.0.0.1:5061\r\n' +
  'Max-Forwards: 70\r\n' +
  'Subject: Performance Test\r\n' +
  'Content-Type: application/sdp\r\n' +
  'Content-Length:   129\r\n' +
  '\r\n' +
  'v=0\r\n' +
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n' +
  's=-\r\n' +
  'c=IN IP4 127.0.0.1\r\n' +
  't=0 0\r\n' +
  'm=audio 6000 RTP/AVP 0\r\n' +
  'a=rtpmap:0 PCMU/8000\r\n';

export const SIPP_200 =
  'SIP/2.0 200 OK\r\n' +
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0;received=127.0.0.1;rport=5061\r\n' +
  'From: sipp <sip:sipp@127.0.0.1:5061>;tag=4242SIPpTag001\r\n' +
  'To: service <sip:service@127.0.0.1:5060>;tag=4243SIPpTag012\r\n' +
  'Call-ID: 1-4242@127.0.0.1\r\n' +
  'CSeq: 1 INVITE\r\n' +
  'Contact: <sip:127.0.0.1:5062;transport=UDP>\r\n' +
  'Content-Type: application/sdp\r\n' +
  'Content-Length: 0\r\n' +
  '\r\n';
