/**
 * The media host's ICE gathering policy (renderer/media/ice-gathering.ts):
 * without STUN/TURN the end of gathering comes once the host UDP candidates
 * settled, never twice per round; with a server it is the browser's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatheringPolicy, hasIceServers, isHostUdp } from '../../../renderer/media/ice-gathering';

const udp = (ip: string) => ({ candidate: `candidate:1 1 udp 2122260223 ${ip} 40000 typ host generation 0` });
const tcp = { candidate: 'candidate:2 1 tcp 1518280447 192.0.2.7 9 typ host tcptype active generation 0' };
const srflx = { candidate: 'candidate:3 1 udp 1686052607 198.51.100.4 40000 typ srflx raddr 192.0.2.7 rport 40000' };

describe('ICE gathering policy', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells host UDP candidates from the others', () => {
    expect(isHostUdp(udp('192.0.2.7').candidate)).toBe(true);
    expect(isHostUdp(tcp.candidate)).toBe(false);
    expect(isHostUdp(srflx.candidate)).toBe(false);
    expect(hasIceServers({ iceServers: [] })).toBe(false);
    expect(hasIceServers({})).toBe(false);
    expect(hasIceServers({ iceServers: [{ urls: 'stun:stun.example.com' }] })).toBe(true);
  });

  it('without ICE servers, ends once no host UDP candidate came for the settle time, and drops the browser’s own end', () => {
    const end = vi.fn();
    const policy = gatheringPolicy({ iceServers: [] }, end, 25);
    expect(policy.candidate(udp('192.0.2.7'))).toBe('forward');
    vi.advanceTimersByTime(20);
    expect(policy.candidate(udp('2001:db8::7'))).toBe('forward'); // another network: the wait starts again
    vi.advanceTimersByTime(20);
    expect(end).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5);
    expect(end).toHaveBeenCalledTimes(1);
    expect(policy.candidate(tcp)).toBe('forward');
    expect(policy.candidate(null)).toBe('drop');
    vi.advanceTimersByTime(100);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('forwards the browser’s end when it comes first, and reports nothing more', () => {
    const end = vi.fn();
    const policy = gatheringPolicy({}, end, 25);
    policy.candidate(udp('192.0.2.7'));
    expect(policy.candidate(null)).toBe('forward');
    vi.advanceTimersByTime(100);
    expect(end).not.toHaveBeenCalled();
  });

  it('starts a new round on an ICE restart', () => {
    const end = vi.fn();
    const policy = gatheringPolicy({}, end, 25);
    policy.candidate(udp('192.0.2.7'));
    vi.advanceTimersByTime(25);
    policy.state('gathering');
    policy.candidate(udp('192.0.2.7'));
    vi.advanceTimersByTime(25);
    expect(end).toHaveBeenCalledTimes(2);
    policy.candidate(udp('192.0.2.8'));
    policy.dispose();
    vi.advanceTimersByTime(100);
    expect(end).toHaveBeenCalledTimes(2);
  });

  it('with a STUN or TURN server, leaves the end of gathering to the browser', () => {
    const end = vi.fn();
    const policy = gatheringPolicy({ iceServers: [{ urls: 'stun:stun.example.com' }] }, end, 25);
    policy.candidate(udp('192.0.2.7'));
    vi.advanceTimersByTime(200);
    expect(end).not.toHaveBeenCalled();
    expect(policy.candidate(null)).toBe('forward');
  });
});
