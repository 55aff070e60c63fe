import { insideAssets, isDashboardRoute, resolvedPath, routeAccess, sameOriginPath } from './access.policy';

describe('access policy', () => {
  it('protects every route it does not name, and a request no route matched', () => {
    expect(routeAccess('/api/v1/health')).toBe('open');
    expect(routeAccess('/metrics')).toBe('open');
    expect(routeAccess('/assets/*')).toBe('assets');
    expect(routeAccess('/*')).toBe('page');
    for (const route of ['/api/v1/operations', '/api/v1/operations/:id', '/admin/queues', '/api/docs/*', '/api/v1/some-route-added-later', undefined]) {
      expect({ route, access: routeAccess(route) }).toEqual({ route, access: 'token' });
    }
  });

  it('resolves a path as a lenient proxy would', () => {
    expect(resolvedPath('api/v1/operations')).toBe('/api/v1/operations');
    expect(resolvedPath('%2561pi/v1')).toBe('/api/v1');
    expect(resolvedPath('x/../api')).toBe('/api');
    expect(resolvedPath('x/%2e%2e/api')).toBe('/api');
    expect(resolvedPath('/./admin//queues')).toBe('/admin/queues');
    expect(resolvedPath('api;x=1/v1;y/operations')).toBe('/api/v1/operations');
    expect(resolvedPath('HTTP://host:1/api/v1')).toBe('/api/v1');
    expect(resolvedPath('x\\..\\api')).toBe('/api');
    expect(resolvedPath('%ff/history')).toBe('/%ff/history');
  });

  it('keeps the assets open only inside /assets/', () => {
    expect(insideAssets('index-abc.js')).toBe(true);
    expect(insideAssets('../api/v1/operations')).toBe(false);
    expect(insideAssets('%2e%2e/package.json')).toBe(false);
    expect(insideAssets('..')).toBe(false);
  });

  it('knows the dashboard by its registered route', () => {
    expect(isDashboardRoute('/admin/queues')).toBe(true);
    expect(isDashboardRoute('/admin/queues/api/queues/:queueName/pause')).toBe(true);
    expect(isDashboardRoute('/admin/queuesx')).toBe(false);
    expect(isDashboardRoute(undefined)).toBe(false);
  });

  it('redirects a dashboard sign-in to a path on this host only', () => {
    expect(sameOriginPath('/admin/queues?access_token=t')).toBe('/admin/queues');
    expect(sameOriginPath('//elsewhere.example/admin/queues?access_token=t')).toBe('/admin/queues');
    expect(sameOriginPath('http://elsewhere.example/admin/queues/')).toBe('/admin/queues/');
    expect(sameOriginPath('/\\elsewhere.example/x')).toBe('/x');
  });
});
