/**
 * Stack configuration, read in exactly one place.
 *
 * Every project key is declared once, in `settingSpecs` (settingSpecs.ts): its Pulumi.yaml type, description, default
 * and parser. `loadSettings()` reads the stack's config once, checks every key name (configKeys.ts), every value and
 * every pair of keys that must agree, and either returns one typed `Settings` object or throws one `SettingsError`
 * that lists every problem, so nothing is registered with a half-valid configuration.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkArnPartitions, checkNodeGroup, checkVerifiersAreNotAdmins } from "./awsRules";
import { Parsed, quote } from "./configRules";
import { keyNameProblems } from "./configKeys";
import { ProjectSettings, Settings, SettingSpec, settingSpecs } from "./settingSpecs";

export * from "./settingSpecs";

/** Stack configuration as the Pulumi runtime hands it over: every key is `namespace:key`, every value a string. */
export interface RawConfig {
    /** The project name, i.e. the namespace of project keys. */
    project: string;
    config: Record<string, string>;
    /** The keys (`namespace:key`) whose values the stack stores as secrets. */
    secretKeys: ReadonlySet<string>;
    /** The environment variables the AWS provider falls back to for its region. */
    env: { AWS_REGION?: string; AWS_DEFAULT_REGION?: string };
}

/** Thrown when the stack configuration is invalid. A RunError, so Pulumi prints the message without a stack trace. */
export class SettingsError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(formatProblems(problems));
        this.name = "SettingsError";
    }
}

/** Reads the current stack's configuration once and validates it. Throws `SettingsError` listing every problem. */
export function loadSettings(): Settings {
    const config = pulumi.runtime.allConfig();
    return parseSettings({
        project: pulumi.getProject(),
        config,
        secretKeys: secretConfigKeys(Object.keys(config)),
        env: { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION },
    });
}

/**
 * Which of `keys` the stack stores as secrets. The SDK's `isConfigSecret` is not in its public typings, so reach for
 * it explicitly and fail loudly if it ever disappears.
 */
function secretConfigKeys(keys: string[]): Set<string> {
    const runtimeConfig = require("@pulumi/pulumi/runtime/config");
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error("@pulumi/pulumi no longer exports runtime/config.isConfigSecret; update config.ts");
    }
    return new Set(keys.filter((key) => runtimeConfig.isConfigSecret(key)));
}

/** The pure core of `loadSettings`: raw strings in, `Settings` or one `SettingsError` out. */
export function parseSettings(raw: RawConfig): Settings {
    const problems: string[] = keyNameProblems(raw, settingKeys());
    const existingCluster = existingClusterNameOf(raw);
    const values: Partial<Record<keyof ProjectSettings, unknown>> = {};
    for (const key of settingKeys()) {
        const parsed = parseKey(raw, key, existingCluster);
        if ("problems" in parsed) problems.push(...parsed.problems);
        else values[key] = parsed.value;
    }
    const region = parseRegion(raw);
    if ("problems" in region) problems.push(...region.problems);

    // Keys that must agree are checked only once each of them parsed, so one typo is reported once.
    const project = values as Partial<ProjectSettings>;
    problems.push(...checkNodeGroup(project), ...checkDemoSettings(project));
    if (project.clusterAdminArns && "value" in region) problems.push(...checkArnPartitions(project.clusterAdminArns, region.value, "clusterAdminArns"));
    if (project.clusterVerifierArns && "value" in region) problems.push(...checkArnPartitions(project.clusterVerifierArns, region.value, "clusterVerifierArns"));
    if (project.clusterVerifierArns && project.clusterAdminArns) problems.push(...checkVerifiersAreNotAdmins(project.clusterVerifierArns, project.clusterAdminArns));

    if (problems.length > 0 || "problems" in region) throw new SettingsError(problems);
    const awsProfile = raw.config["aws:profile"];
    return { ...(project as ProjectSettings), region: region.value, ...(awsProfile ? { awsProfile } : {}) };
}

/** One project key's value: its default when unset, else parsed, unless it is stored as a secret or would be ignored. */
function parseKey(raw: RawConfig, key: keyof ProjectSettings, existingCluster: string | undefined): Parsed<unknown> {
    const spec: SettingSpec<unknown> = settingSpecs[key];
    const fullKey = `${raw.project}:${key}`;
    const text = raw.config[fullKey];
    // A secret says "this value is sensitive", which none of ours is; and `plan` could not even read it.
    if (raw.secretKeys.has(fullKey)) return { problems: [secretProblem(key, spec)] };
    if (text === undefined) return { value: spec.default };
    const parsed = spec.parse(text, key);
    // The CLI hands the program Pulumi.yaml's default for every key a stack leaves unset, so a default is no setting.
    if (spec.createdClusterOnly && existingCluster !== undefined && !("value" in parsed && sameJson(parsed.value, spec.default))) {
        return { problems: [`${key}: only applies to a cluster this program creates, so it would be ignored for the existing cluster ${quote(existingCluster)}; remove it with \`npm run pulumi -- config rm ${key}\``] };
    }
    return parsed;
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

function secretProblem(key: string, spec: SettingSpec<unknown>): string {
    const fix = spec.type === "array"
        ? `\`npm run pulumi -- config rm ${key}\`, then \`npm run pulumi -- config set --path '${key}[0]' <value>\` for each item`
        : `\`npm run pulumi -- config set ${key} <value>\``;
    return `${key}: is stored as a secret, but it is not one; set it in plain text: ${fix}`;
}

/** The existing cluster's name if the stack sets a valid, non-empty one (an invalid one is reported by its parser). */
function existingClusterNameOf(raw: RawConfig): string | undefined {
    const text = raw.config[`${raw.project}:existingClusterName`];
    if (text === undefined) return undefined;
    const parsed = settingSpecs.existingClusterName.parse(text, "existingClusterName");
    return "value" in parsed && parsed.value !== "" ? parsed.value : undefined;
}

/** Settings that only mean something for a demo that is deployed, and with a policy engine to enforce them. Exported for testing. */
export function checkDemoSettings(s: Partial<ProjectSettings>): string[] {
    const problems: string[] = [];
    const noEngine = s.policyEngine === "none";
    if (s.stage !== undefined && s.stage !== "open") {
        if (s.demos && !s.demos.includes("stars")) {
            problems.push(`stage: ${quote(s.stage)} applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"`);
        } else if (noEngine) {
            // The policies would be created, and `plan` would show them enforced, with nothing enforcing them.
            problems.push(`stage: ${quote(s.stage)} needs a policy engine, but policyEngine is "none"; set stage to "open" (\`npm run pulumi -- config set stage open\`) or choose calico or vpc-cni`);
        }
    }
    if (s.isolateNamespaces) {
        if (s.demos && !s.demos.includes("namespaces")) {
            problems.push('isolateNamespaces: true applies to the namespaces demo, which demos does not include; add "namespaces" to demos or set it to false');
        } else if (noEngine) {
            problems.push('isolateNamespaces: true needs a policy engine, but policyEngine is "none"; set it to false (`npm run pulumi -- config set isolateNamespaces false`) or choose calico or vpc-cni');
        }
    }
    return problems;
}

/** The project keys in declaration order. */
export function settingKeys(): (keyof ProjectSettings)[] {
    return Object.keys(settingSpecs) as (keyof ProjectSettings)[];
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parseRegion(raw: RawConfig): Parsed<string> {
    const region = raw.config["aws:region"] ?? raw.env.AWS_REGION ?? raw.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === "") {
        return { problems: ["aws:region: not set; choose the AWS region to deploy to, e.g. `npm run pulumi -- config set aws:region us-west-2`"] };
    }
    if (!REGION_PATTERN.test(region)) {
        return { problems: [`aws:region: ${quote(region)} is not an AWS region name; use the form "us-west-2"`] };
    }
    return { value: region };
}

function formatProblems(problems: string[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return [
        `Invalid stack configuration (${count}):`,
        ...problems.map((p) => `  - ${p}`),
        "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
    ].join("\n");
}
