/**
 * Formats a date the way Python's `time.ctime()` (and C's `asctime`) does, in local time, so the
 * demo prints what RPyC's original prints: "Wed Nov 25 22:17:03 2026".
 */
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/**
 * `time.ctime()` for a `Date`, in the process's local time zone.
 *
 * @example
 * formatCtime(new Date(2026, 10, 5, 9, 7, 3)); // "Thu Nov  5 09:07:03 2026"
 */
export function formatCtime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, " ");
  const clock = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${day} ${clock} ${date.getFullYear()}`;
}
