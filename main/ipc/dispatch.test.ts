import { describe, expect, it } from 'vitest';
import { TwinboxError } from '../../shared/errors';
import { createServices } from '../services';
import { dispatch } from './dispatch';
import type { HandlerTable } from './dispatch';
import { createHandlers } from './handlers';

const context = { host: 'web' as const, caller: 'test' };

const base = createHandlers(
  createServices({
    identity: { name: 'Twinbox', version: '1.2.3' },
    host: 'web',
    createAdapter: () => {
      throw new Error('no adapter is needed here');
    },
  }),
);

function table(getInfo: HandlerTable['app.getInfo']): HandlerTable {
  return { ...base, 'app.getInfo': getInfo };
}

const ok = base;

describe('dispatch, the edge every call passes', () => {
  it('answers a contract method with its result in an ok envelope', async () => {
    expect(await dispatch(ok, 'app.getInfo', {}, context)).toEqual({
      ok: true,
      value: { name: 'Twinbox', version: '1.2.3', host: 'web', passwordsPersist: false, demo: false },
    });
  });

  it('refuses a method outside the contract without calling anything', async () => {
    const envelope = await dispatch(ok, 'shell.openPath', { path: '/etc/passwd' }, context);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('refuses input that does not match the schema, naming the field', async () => {
    const envelope = await dispatch(ok, 'app.getInfo', { unexpected: true }, context);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(!envelope.ok && envelope.error.message).toMatch(/app\.getInfo/);
  });

  it('keeps the code of a TwinboxError across the boundary', async () => {
    const failing = table(() => Promise.reject(new TwinboxError('AUTH_FAILED', '535 5.7.8 Authentication failed')));
    expect(await dispatch(failing, 'app.getInfo', {}, context)).toEqual({
      ok: false,
      error: { code: 'AUTH_FAILED', message: '535 5.7.8 Authentication failed' },
    });
  });

  it('turns an unexpected exception into INTERNAL and logs it, without leaking its text', async () => {
    const logged: unknown[] = [];
    const failing = table(() => Promise.reject(new Error('secret path /home/me/.config')));
    const envelope = await dispatch(failing, 'app.getInfo', {}, context, (_message, error) => logged.push(error));
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(envelope)).not.toContain('secret path');
    expect(logged).toHaveLength(1);
  });
});
