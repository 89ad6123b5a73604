import { describe, expect, it } from 'vitest';
import { permissionsPolicyCheck } from '../../../checks/http/permissions-policy.ts';
import { contextFor } from '../../support/fake-probes.ts';
import { landing, unreachable } from './site.ts';

const run = (headers: Record<string, readonly string[]>) => permissionsPolicyCheck.run(contextFor(landing(headers)));

describe('http.permissions-policy', () => {
  it.each([
    [{ 'permissions-policy': ['camera=(), microphone=(), geolocation=(self "https://maps.example")'] }, 'pass', 'Permissions-Policy restricts 3 feature(s)'],
    [{ 'permissions-policy': ['camera=()', 'payment=()'] }, 'pass', 'Permissions-Policy restricts 2 feature(s)'], // repeated headers combine (RFC 8941 §3.2)
    [{ 'permissions-policy': ['camera: none'] }, 'warn', 'Permissions-Policy is not a valid structured-field dictionary ("camera: none"), so browsers ignore it'],
    [{ 'feature-policy': ["camera 'none'"] }, 'warn', 'No Permissions-Policy (only the legacy Feature-Policy, which browsers no longer read): browser features are left at their defaults'],
    [{}, 'warn', 'No Permissions-Policy: browser features are left at their defaults'],
  ] as const)('%j -> %s', async (headers, status, summary) => {
    expect(await run(headers)).toMatchObject({ status, summary });
  });

  it('shows the header and the features it names', async () => {
    expect(await run({ 'permissions-policy': ['camera=(), usb=()'] }))
      .toMatchObject({ evidence: { pages: [{ permissionsPolicy: ['camera=(), usb=()'], features: ['camera', 'usb'], featurePolicy: [] }] } });
  });

  it('reports a ProbeError on the only address as error, not as a finding', async () => {
    expect(await permissionsPolicyCheck.run(contextFor(unreachable()))).toMatchObject({ status: 'error', reason: 'timeout' });
  });
});
