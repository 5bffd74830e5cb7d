/**
 * Finds environment variables that look like a Custos setting spelled wrongly (`DATABSE_URL`, `SINGER`,
 * `CUSTOS_DATADIR`): such a setting would otherwise be silently ignored and its default used instead.
 *
 * Only UPPER_CASE names are looked at (so npm's `npm_*` and other lower-case variables never are). A name that is not
 * a Custos variable is refused when it starts with `CUSTOS_` (a prefix only Custos uses), or when it is within a
 * small edit distance of a Custos variable: 1 for names of 4 to 9 characters, 2 from 10 on, none below 4 (so `HOME`
 * is not taken for `HOST`). Kubernetes service links (`<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT_8080_TCP`, ...,
 * which a Service named `custos` turns into `CUSTOS_*`) are never refused.
 */
export function findMisspelling(
  names: Iterable<string>,
  known: ReadonlySet<string>,
): { name: string; suggestion?: string } | undefined {
  for (const name of names) {
    if (known.has(name) || !/^[A-Z][A-Z0-9_]*$/.test(name) || KUBERNETES_SERVICE_LINK.test(name)) continue;
    const nearest = nearestKnown(name, known);
    if (nearest && nearest.distance <= tolerance(name)) return { name, suggestion: nearest.name };
    if (name.startsWith(OWN_PREFIX)) return { name };
  }
  return undefined;
}

const OWN_PREFIX = 'CUSTOS_';

const KUBERNETES_SERVICE_LINK =
  /_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/;

const tolerance = (name: string) => (name.length >= 10 ? 2 : name.length >= 4 ? 1 : 0);

function nearestKnown(name: string, known: ReadonlySet<string>) {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
