// Lab settings: environment beats what state recorded, which beats defaults; bad values are clear UserErrors.
import { describe, it, expect } from 'vitest';
import { resolveConfig, defaultConfig, kindContext } from '../../scripts/lib/config.ts';
import { UserError } from '../../scripts/lib/errors.ts';

describe('resolveConfig', () => {
  it('uses defaults, then recorded settings, then the environment', () => {
    expect(resolveConfig(undefined, {})).toEqual(defaultConfig);
    expect(resolveConfig({ httpPort: 8080, httpsPort: 8443 }, {}).httpsPort).toBe(8443);
    const c = resolveConfig({ httpPort: 8080 }, { LAB_HTTP_PORT: '9080', LAB_CLUSTER_NAME: 'e2m-2', LAB_APP_HOST: 'shop.localhost' });
    expect(c.httpPort).toBe(9080);
    expect(c.clusterName).toBe('e2m-2');
    expect(c.appHost).toBe('shop.localhost');
    expect(kindContext(c)).toBe('kind-e2m-2');
  });

  it.each([
    [{ LAB_HTTP_PORT: 'abc' }, /LAB_HTTP_PORT=abc is not a TCP port/, /LAB_HTTP_PORT=8080/],
    [{ LAB_HTTPS_PORT: '70000' }, /LAB_HTTPS_PORT=70000 is not a TCP port/, /LAB_HTTPS_PORT=8443/],
    [{ LAB_CLUSTER_NAME: 'Edge_To_Mesh' }, /is not a valid kind cluster name/, /lower-case/],
  ])('rejects %o', (env, message, hint) => {
    let error: UserError | undefined;
    try {
      resolveConfig(undefined, env);
    } catch (e) {
      error = e as UserError;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toMatch(message);
    expect(error!.hint).toMatch(hint);
  });
});
