/**
 * The deployments program, run offline: deployments/index.ts under the same Pulumi mocks as the lab (bin/offlineProgram.ts),
 * as project eks-netpol-lab-deployments. The tests and `npm run deployments:plan` use it; nothing calls AWS or Pulumi Cloud.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ProgramRun, runProgram } from "../bin/offlineProgram";
import { PROJECT } from "./config";
import { TTL_CLOCK_TYPE } from "./components/ttlClock";
import { startClock } from "./ttl";

/** When a TTL clock created offline starts: a fixed time, so that offline runs are reproducible. */
export const OFFLINE_CLOCK_START = new Date("2030-01-01T00:00:00Z");

const ENTRY_POINT = path.join(__dirname, "index");

/** A deployments stack file's config as Pulumi hands it to the program: `namespace:key` to string. */
export function deploymentsStackConfig(stack: string): Record<string, string> {
    const file = path.join(__dirname, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`no stack file deployments/Pulumi.${stack}.yaml`);
    const config: Record<string, unknown> = parse(fs.readFileSync(file, "utf8"))?.config ?? {};
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Runs the deployments program with exactly `config` as stack `stack`; TTL clocks start at OFFLINE_CLOCK_START. */
export function runDeployments(config: Record<string, string>, stack = "ci"): Promise<ProgramRun> {
    return runProgram(config, [], {
        entryPoint: ENTRY_POINT,
        project: PROJECT,
        stack,
        outputs: (type, _name, inputs) => (type === TTL_CLOCK_TYPE ? { ...startClock(inputs.hours, OFFLINE_CLOCK_START) } : undefined),
    });
}
