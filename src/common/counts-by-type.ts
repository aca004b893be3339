/** Turns `GROUP BY type` rows into counts of internal and external users or groups (0 when absent). */
export function countsByType(
  rows: { type: 'internal' | 'external'; count: string | number }[],
): Record<'internal' | 'external', number> {
  const counts = { internal: 0, external: 0 };
  for (const row of rows) {
    counts[row.type] = Number(row.count);
  }
  return counts;
}
