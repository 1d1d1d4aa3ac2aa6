import { describe, expect, it } from 'vitest';
import { localSmtpPlan, NO_SMTP_VARIABLE } from '../mailstack/local-stack';

describe('whether the local mail stack starts SMTP', () => {
  it('starts Postfix as root unless told not to', () => {
    expect(localSmtpPlan({ privileged: true, env: {} })).toEqual({ start: true });
    expect(localSmtpPlan({ privileged: true, requested: true, env: {} })).toEqual({ start: true });
  });

  it('hides SMTP when TWINBOX_TEST_NO_SMTP is set, even as root, and says so', () => {
    const plan = localSmtpPlan({ privileged: true, env: { [NO_SMTP_VARIABLE]: '1' } });
    expect(plan).toMatchObject({ start: false, reason: expect.stringContaining('TWINBOX_TEST_NO_SMTP=1') as unknown });
  });

  it('takes an empty or "0" TWINBOX_TEST_NO_SMTP as unset', () => {
    expect(localSmtpPlan({ privileged: true, env: { [NO_SMTP_VARIABLE]: '' } })).toEqual({ start: true });
    expect(localSmtpPlan({ privileged: true, env: { [NO_SMTP_VARIABLE]: '0' } })).toEqual({ start: true });
  });

  it('gives each absence its own reason', () => {
    const reasons = [
      localSmtpPlan({ privileged: false, env: {} }),
      localSmtpPlan({ privileged: true, requested: false, env: {} }),
      localSmtpPlan({ privileged: true, env: { [NO_SMTP_VARIABLE]: 'yes' } }),
    ].map((plan) => (plan.start ? 'started' : plan.reason));
    expect(reasons[0]).toMatch(/Postfix needs root/);
    expect(reasons[1]).toMatch(/without SMTP/);
    expect(new Set(reasons).size).toBe(3);
  });
});
