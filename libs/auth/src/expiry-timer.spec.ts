import { ExpiryTimer } from './expiry-timer';

describe(ExpiryTimer.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('fires at expiry, not before', () => {
    const expired = jest.fn();
    new ExpiryTimer(expired).arm(nowSeconds() + 10);
    jest.advanceTimersByTime(9_000);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a principal already expired', () => {
    const expired = jest.fn();
    new ExpiryTimer(expired).arm(nowSeconds() - 1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('waits past what one setTimeout holds (2^31-1 ms) by re-arming', () => {
    const expired = jest.fn();
    new ExpiryTimer(expired).arm(nowSeconds() + 40 * 24 * 3600);
    jest.advanceTimersByTime(30 * 24 * 3600 * 1000);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(10 * 24 * 3600 * 1000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('re-arming replaces the previous expiry, and clear() or undefined stops it', () => {
    const expired = jest.fn();
    const timer = new ExpiryTimer(expired);
    timer.arm(nowSeconds() + 5);
    timer.arm(nowSeconds() + 60);
    jest.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
    timer.arm(undefined);
    jest.advanceTimersByTime(120_000);
    timer.arm(nowSeconds() + 1);
    timer.clear();
    jest.advanceTimersByTime(5_000);
    expect(expired).not.toHaveBeenCalled();
  });
});
