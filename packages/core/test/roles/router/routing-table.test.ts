import { describe, expect, it } from 'vitest';
import { RoutingTable } from '../../../src/roles/router/index';
import { routeTo } from './router-fixture';

describe('RoutingTable', () => {
  it('looks up the exact hostname, lower-cased and without the port', () => {
    const table = new RoutingTable();
    table.add('Foo.com', routeTo('a', 1000));
    for (const header of ['foo.com', 'FOO.COM', 'foo.com:8080', 'foo.com.']) {
      const found = table.lookup(header);
      expect(found).toMatchObject({ hostname: 'foo.com', matched: 'foo.com', known: true });
      expect(found.routes.map((route) => route.instanceId)).toEqual(['a']);
    }
  });

  it('tries one wildcard level only', () => {
    const table = new RoutingTable();
    table.add('*.foo.com', routeTo('w', 1000));
    expect(table.lookup('www.foo.com')).toMatchObject({ matched: '*.foo.com', known: true });
    expect(table.lookup('a.b.foo.com')).toMatchObject({ matched: null, known: false, routes: [] });
    expect(table.lookup('foo.com').known).toBe(false);
  });

  it('prefers the exact hostname, even when it has no instances', () => {
    const table = new RoutingTable();
    table.add('*.foo.com', routeTo('w', 1000));
    table.add('www.foo.com', routeTo('e', 1001));
    expect(table.lookup('www.foo.com').routes.map((route) => route.instanceId)).toEqual(['e']);
    table.remove('www.foo.com', 'e');
    expect(table.lookup('www.foo.com')).toMatchObject({ matched: 'www.foo.com', known: true, routes: [] });
    table.removeHostname('www.foo.com');
    expect(table.lookup('www.foo.com').matched).toBe('*.foo.com');
  });

  it('tells an unknown hostname from a known one with no instances', () => {
    const table = new RoutingTable();
    table.addHostname('empty.com');
    expect(table.lookup('empty.com')).toMatchObject({ known: true, routes: [] });
    expect(table.lookup('other.com')).toMatchObject({ known: false, routes: [] });
  });

  it('is idempotent per hostname and instance, and bumps the serial only on change', () => {
    const table = new RoutingTable();
    const serials: number[] = [];
    const stop = table.onChange((serial) => serials.push(serial));
    table.add('foo.com', routeTo('a', 1000));
    table.add('foo.com', routeTo('a', 1000));
    expect(table.serial).toBe(1);
    table.add('foo.com', routeTo('a', 1002));
    expect(table.routes('foo.com')).toEqual([routeTo('a', 1002)]);
    table.add('bar.com', routeTo('a', 1002));
    table.add('bar.com', routeTo('b', 1003));
    table.removeInstance('a');
    expect(table.routes('foo.com')).toEqual([]);
    expect(table.routes('bar.com').map((route) => route.instanceId)).toEqual(['b']);
    expect(table.hostnames()).toEqual(['bar.com', 'foo.com']);
    table.remove('bar.com', 'missing');
    table.removeInstance('missing');
    expect(table.serial).toBe(5);
    stop();
    table.remove('bar.com', 'b');
    expect(table.serial).toBe(6);
    expect(serials).toEqual([1, 2, 3, 4, 5]);
  });

  it('hands out copies, not its own entries', () => {
    const table = new RoutingTable();
    table.add('foo.com', routeTo('a', 1000));
    const [route] = table.lookup('foo.com').routes;
    if (route) route.port = 1;
    expect(table.routes('foo.com')[0]?.port).toBe(1000);
  });

  it('refuses hostnames and routes that cannot be routed', () => {
    const table = new RoutingTable();
    expect(() => table.add('', routeTo('a', 1000))).toThrow(TypeError);
    expect(() => table.add('foo.*.com', routeTo('a', 1000))).toThrow(TypeError);
    expect(() => table.add('has space.com', routeTo('a', 1000))).toThrow(TypeError);
    expect(() => table.add('foo.com', routeTo('a', 0))).toThrow(TypeError);
    expect(() => table.add('foo.com', routeTo('', 1000))).toThrow(TypeError);
    expect(table.serial).toBe(0);
  });
});
