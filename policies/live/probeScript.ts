/**
 * The probe that runs inside a source pod: one shell loop in one ephemeral container, every target of that source in
 * turn, one parseable line per attempt, and re-probes of only the targets whose result differs from what the engine
 * expects, for a bounded time (policies take effect seconds after they are applied).
 *
 * It runs agnhost's `connect` (kubernetes/kubernetes test/images/agnhost/connect), which exits 0 when the TCP
 * connection opens and otherwise exits 1 with TIMEOUT, REFUSED, DNS, OTHER or UNKNOWN at the start of stderr. Targets
 * are addresses, never names, so DNS and its policies play no part (as in the upstream e2e tests).
 *
 * Every value the script receives is a positional argument, checked here to be digits, an address or a fixed word, so
 * nothing the cluster says is ever interpreted by the shell.
 */

/** What one attempt observed: agnhost's outcome, or CONNECTED. */
export const PROBE_RESULTS = ["CONNECTED", "TIMEOUT", "REFUSED", "DNS", "OTHER", "UNKNOWN"] as const;
export type ProbeResult = (typeof PROBE_RESULTS)[number];

export interface ProbeTarget {
    /** Which cell of the grid this is, within its source: 0, 1, 2... */
    index: number;
    /** `10.100.3.4:80` or `[fd00::3]:80`. */
    address: string;
    expect: "allowed" | "blocked";
}

export interface ProbeSchedule {
    /** agnhost's --timeout for each connection attempt, in whole seconds. */
    timeoutSeconds: number;
    /** How long after the first pass the targets that differ from the expectation are probed again, in seconds. */
    settleSeconds: number;
    /** The pause between two passes over those targets, in seconds (0 in tests). */
    intervalSeconds: number;
    /** At most this many attempts per target, the first pass included. */
    maxAttempts: number;
}

export const LINE_PREFIX = "netpol-verify";
export const DONE_LINE = `${LINE_PREFIX} done`;

/**
 * The script, for `/bin/sh -c SCRIPT netpol-verify T W I R <index> <address> <expect>...`. A result that agrees with
 * the expectation is final; any other (including DNS and UNKNOWN, which say the probe itself failed) is tried again
 * while attempts and time remain. REFUSED and OTHER count as not connected: the connection did not open.
 */
export const PROBE_SCRIPT = [
    'T=$1 W=$2 I=$3 R=$4; shift 4',
    "A=/agnhost",
    "probe() {",
    '  if out=$("$A" connect "$2" --timeout="${T}s" 2>&1); then r=CONNECTED',
    '  else case "$out" in TIMEOUT*) r=TIMEOUT;; REFUSED*) r=REFUSED;; DNS*) r=DNS;; OTHER*) r=OTHER;; *) r=UNKNOWN;; esac; fi',
    `  echo "${LINE_PREFIX} $1 $4 $r"`,
    '  case "$3:$r" in allowed:CONNECTED|blocked:TIMEOUT|blocked:REFUSED|blocked:OTHER) return 0;; esac',
    "  return 1",
    "}",
    'pending=""',
    'while [ $# -ge 3 ]; do probe "$1" "$2" "$3" 1 || pending="$pending $1 $2 $3"; shift 3; done',
    "end=$(( $(date +%s) + W )); n=1",
    'while [ -n "$pending" ] && [ $n -lt $R ] && [ $(date +%s) -lt $end ]; do',
    '  sleep "$I"; n=$((n + 1)); set -- $pending; pending=""',
    '  while [ $# -ge 3 ]; do probe "$1" "$2" "$3" $n || pending="$pending $1 $2 $3"; shift 3; done',
    "done",
    `echo "${DONE_LINE}"`,
].join("\n");

const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/;

/** The container's command: the script and its arguments. Throws on a value the script must not be given. */
export function probeCommand(targets: ProbeTarget[], schedule: ProbeSchedule): string[] {
    const numbers = [schedule.timeoutSeconds, schedule.settleSeconds, schedule.intervalSeconds, schedule.maxAttempts];
    if (!numbers.every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`probe schedule must be whole seconds and counts, got ${JSON.stringify(schedule)}`);
    const args = targets.flatMap((t) => {
        if (!Number.isInteger(t.index) || t.index < 0 || !ADDRESS.test(t.address)) throw new Error(`not a probe target: ${JSON.stringify(t)}`);
        return [String(t.index), t.address, t.expect];
    });
    return ["/bin/sh", "-c", PROBE_SCRIPT, LINE_PREFIX, ...numbers.map(String), ...args];
}

/** Every attempt the log reports for each target index, in order; and whether the script got to its end. */
export interface ProbeLog {
    attempts: Map<number, ProbeResult[]>;
    finished: boolean;
}

/** Reads the container's log. Lines that are not the script's (a shell error, say) are ignored. */
export function parseProbeLog(log: string): ProbeLog {
    const attempts = new Map<number, ProbeResult[]>();
    let finished = false;
    for (const line of log.split("\n")) {
        const text = line.trim();
        if (text === DONE_LINE) finished = true;
        const match = new RegExp(`^${LINE_PREFIX} (\\d+) (\\d+) ([A-Z]+)$`).exec(text);
        if (!match || !PROBE_RESULTS.includes(match[3] as ProbeResult)) continue;
        const index = Number(match[1]);
        attempts.set(index, [...(attempts.get(index) ?? []), match[3] as ProbeResult]);
    }
    return { attempts, finished };
}

/**
 * The schedule for a run: re-probe every `intervalSeconds` for `settleSeconds`, and never more attempts than that
 * allows (the script also stops at the deadline, whichever comes first).
 */
export function probeSchedule(options: { timeoutSeconds: number; settleSeconds: number; intervalSeconds: number }): ProbeSchedule {
    const rounds = options.intervalSeconds > 0 ? Math.ceil(options.settleSeconds / options.intervalSeconds) : options.settleSeconds;
    return { ...options, maxAttempts: 1 + rounds };
}

/**
 * The longest the script can run: a first pass in which every target times out, then the settle window, then one
 * more pass that started just before the window closed.
 */
export function scriptSeconds(targets: number, schedule: ProbeSchedule): number {
    const pass = targets * (schedule.timeoutSeconds + 1);
    return pass + schedule.settleSeconds + schedule.intervalSeconds + pass;
}
