/**
 * Every UTC day from the day of `from` to the day of `to`, as `YYYY-MM-DD`. Series from the API list only the days
 * that had something; a chart needs the quiet days too, as zeros, or two busy days a week apart look adjacent.
 */
export function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
  // A year of days at most: a chart of more says nothing per day.
  for (
    let day = Date.parse(`${from.slice(0, 10)}T00:00:00Z`);
    day <= end && days.length < 366;
    day += 86_400_000
  ) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** The value of `pick` for each of `days`, zero where `series` has no entry for the day. */
export function valuesByDay<T extends { date: string }>(
  days: string[],
  series: T[],
  pick: (entry: T) => number,
): number[] {
  const byDate = new Map(series.map((entry) => [entry.date, pick(entry)]));
  return days.map((day) => byDate.get(day) ?? 0);
}
