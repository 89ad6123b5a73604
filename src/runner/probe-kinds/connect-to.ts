import type { ConnectToRule } from '../../config/config.ts';

/**
 * The first `--connect-to` rule (in the configured order) for a host and port. Indexed by host, because a lab or a
 * large estate may hold one rule per scanned domain: a scan would otherwise walk every rule for every name.
 */
export function connectToMatcher(rules: readonly ConnectToRule[]): (host: string, port: number) => ConnectToRule | undefined {
  const byHost = new Map<string, { rule: ConnectToRule; order: number }[]>();
  const anyHost: { rule: ConnectToRule; order: number }[] = [];
  rules.forEach((rule, order) => {
    if (rule.host === null) anyHost.push({ rule, order });
    else byHost.set(rule.host, [...(byHost.get(rule.host) ?? []), { rule, order }]);
  });
  return (host, port) => {
    const fits = (e: { rule: ConnectToRule }) => e.rule.port === null || e.rule.port === port;
    const named = byHost.get(host.toLowerCase())?.find(fits);
    const wild = anyHost.find(fits);
    if (!named) return wild?.rule;
    return wild && wild.order < named.order ? wild.rule : named.rule;
  };
}
