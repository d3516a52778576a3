import * as assert from "assert";
import { parseSettings, RawConfig, Settings, SettingsError, settingSpecs } from "../config";
import { EKS_KUBERNETES_VERSIONS, kubernetesVersionParser } from "../configRules";
import { runProgram, stackConfig } from "./mocks";

const PROJECT = "eks-netpol-lab";

/** A raw stack config with the dev region and `overrides` under the project namespace; `secret` keys are secrets. */
function raw(overrides: Record<string, string> = {}, extra: Record<string, string> = { "aws:region": "us-west-2" }, secret: string[] = []): RawConfig {
    const config: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(overrides)) config[`${PROJECT}:${key}`] = value;
    return { project: PROJECT, config, secretKeys: new Set(secret), env: {} };
}
/** The problems `parseSettings` reports, or a failure if it accepts the config. */
function problemsOf(config: RawConfig): string[] {
    try {
        parseSettings(config);
    } catch (e) {
        assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${e}`);
        return e.problems;
    }
    return assert.fail("expected the configuration to be rejected");
}

const SIZE_RULE = "need 0 <= nodeMin <= nodeDesired <= nodeMax";

const SETTINGS_LIST =
    "kubernetesVersion, nodeInstanceTypes, nodeDesired, nodeMin, nodeMax, clusterEndpointPublicAccessCidrs, clusterAdminArns, clusterVerifierArns, policyEngine, " +
    "calicoVersion, demos, stage, isolateNamespaces, recycleNodesOnEngineRemoval, nodeRecycleTimeoutMinutes, existingClusterName";
const KNOWN_VERSIONS = '"1.35", "1.36"';
const ADMIN = "arn:aws:iam::123456789012:role/ci-deployer";

describe("settings: valid configuration", () => {
    it("defaults every project key when the stack sets none", () => {
        const expected: Settings = {
            kubernetesVersion: "1.35",
            nodeInstanceTypes: ["t3.medium"],
            nodeDesired: 2,
            nodeMin: 1,
            nodeMax: 3,
            clusterEndpointPublicAccessCidrs: ["0.0.0.0/0"],
            clusterAdminArns: [],
            clusterVerifierArns: [],
            policyEngine: "calico",
            calicoVersion: "v3.31.7",
            demos: ["stars", "namespaces"],
            stage: "open",
            isolateNamespaces: false,
            recycleNodesOnEngineRemoval: true,
            nodeRecycleTimeoutMinutes: 20,
            existingClusterName: "",
            region: "us-west-2",
        };
        assert.deepStrictEqual(parseSettings(raw()), expected);
    });

    it("parses every key of a stack that creates its cluster from the strings Pulumi hands over", () => {
        const settings = parseSettings(raw({
            kubernetesVersion: "1.36",
            nodeInstanceTypes: '["m7g.large","c7g.xlarge"]',
            nodeDesired: "0",
            nodeMin: "0",
            nodeMax: "1",
            clusterEndpointPublicAccessCidrs: '["203.0.113.0/24","198.51.100.7/32"]',
            clusterAdminArns: `["${ADMIN}","arn:aws:iam::123456789012:role/teams/platform/admin","arn:aws:iam::210987654321:user/jane.doe@example.com"]`,
            clusterVerifierArns: '["arn:aws:iam::123456789012:role/github-actions"]',
            policyEngine: "vpc-cni",
            calicoVersion: "v3.32.1",
            demos: '["stars"]',
            stage: "allow-backend",
            isolateNamespaces: "false",
            recycleNodesOnEngineRemoval: "false",
            nodeRecycleTimeoutMinutes: "45",
            existingClusterName: "",
        }));
        assert.deepStrictEqual(settings, {
            kubernetesVersion: "1.36",
            nodeInstanceTypes: ["m7g.large", "c7g.xlarge"],
            nodeDesired: 0,
            nodeMin: 0,
            nodeMax: 1,
            clusterEndpointPublicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
            clusterAdminArns: [ADMIN, "arn:aws:iam::123456789012:role/teams/platform/admin", "arn:aws:iam::210987654321:user/jane.doe@example.com"],
            clusterVerifierArns: ["arn:aws:iam::123456789012:role/github-actions"],
            policyEngine: "vpc-cni",
            calicoVersion: "v3.32.1",
            demos: ["stars"],
            stage: "allow-backend",
            isolateNamespaces: false,
            recycleNodesOnEngineRemoval: false,
            nodeRecycleTimeoutMinutes: 45,
            existingClusterName: "",
            region: "us-west-2",
        });
    });

    it("takes an existing cluster's name with Pulumi.yaml's defaults of the keys that do not apply to it, as the CLI passes them", () => {
        // The CLI merges each declared key's default into the stack's config when the stack leaves it unset.
        const defaults = raw({
            existingClusterName: "team-cluster", kubernetesVersion: "1.35", nodeInstanceTypes: '["t3.medium"]', nodeDesired: "2", nodeMin: "1", nodeMax: "3",
            clusterEndpointPublicAccessCidrs: '["0.0.0.0/0"]', clusterAdminArns: "[]", clusterVerifierArns: "[]",
        });
        assert.strictEqual(parseSettings(defaults).existingClusterName, "team-cluster");
    });

    it("takes an existing cluster's name with the keys that apply to it", () => {
        const settings = parseSettings(raw({ existingClusterName: "team-cluster", policyEngine: "vpc-cni", stage: "final", nodeRecycleTimeoutMinutes: "30" }));
        assert.deepStrictEqual([settings.existingClusterName, settings.policyEngine, settings.stage, settings.nodeRecycleTimeoutMinutes], ["team-cluster", "vpc-cni", "final", 30]);
    });

    it("takes policyEngine none with the stage open and namespaces not isolated", () => {
        const settings = parseSettings(raw({ policyEngine: "none", stage: "open", isolateNamespaces: "false" }));
        assert.strictEqual(settings.policyEngine, "none");
    });

    it("takes every Kubernetes version the project knows", () => {
        for (const { version } of EKS_KUBERNETES_VERSIONS) assert.strictEqual(parseSettings(raw({ kubernetesVersion: version })).kubernetesVersion, version);
    });

    it("takes 40 public access CIDRs, the EKS limit", () => {
        const cidrs = Array.from({ length: 40 }, (_, i) => `203.0.113.${i}/32`);
        assert.deepStrictEqual(parseSettings(raw({ clusterEndpointPublicAccessCidrs: JSON.stringify(cidrs) })).clusterEndpointPublicAccessCidrs, cidrs);
    });

    it("takes admin ARNs of the region's partition", () => {
        const china = parseSettings(raw({ clusterAdminArns: '["arn:aws-cn:iam::123456789012:role/admin"]' }, { "aws:region": "cn-north-1" }));
        assert.deepStrictEqual(china.clusterAdminArns, ["arn:aws-cn:iam::123456789012:role/admin"]);
        const govCloud = parseSettings(raw({ clusterAdminArns: '["arn:aws-us-gov:iam::123456789012:user/ops"]' }, { "aws:region": "us-gov-west-1" }));
        assert.deepStrictEqual(govCloud.clusterAdminArns, ["arn:aws-us-gov:iam::123456789012:user/ops"]);
    });

    it("takes the region from AWS_REGION, then AWS_DEFAULT_REGION, when aws:region is unset (as the AWS provider does)", () => {
        const base = raw({}, {});
        assert.strictEqual(parseSettings({ ...base, env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" } }).region, "eu-west-1");
        assert.strictEqual(parseSettings({ ...base, env: { AWS_DEFAULT_REGION: "ap-south-1" } }).region, "ap-south-1");
        assert.strictEqual(parseSettings({ ...raw(), env: { AWS_REGION: "eu-west-1" } }).region, "us-west-2");
    });

    it("takes the AWS profile from aws:profile, only when it names one", () => {
        assert.strictEqual(parseSettings(raw({}, { "aws:region": "us-west-2", "aws:profile": "lab" })).awsProfile, "lab");
        assert.ok(!("awsProfile" in parseSettings(raw({}, { "aws:region": "us-west-2", "aws:profile": "" }))));
        assert.ok(!("awsProfile" in parseSettings(raw())));
    });

    it("takes keys of the namespaces the providers and Pulumi read, secret or not", () => {
        const extra = { "aws:region": "us-west-2", "aws:accessKey": "AKIA", "eks:x": "1", "kubernetes:enableServerSideApply": "true", "pulumi:tags": "{}" };
        assert.doesNotThrow(() => parseSettings(raw({}, extra, ["aws:accessKey"])));
    });
});

describe("settings: the EKS Kubernetes versions table", () => {
    it("lists each version once, oldest first, with the end of its standard support as a date or a month", () => {
        const minors = EKS_KUBERNETES_VERSIONS.map((v) => Number(/^1\.(\d+)$/.exec(v.version)?.[1]));
        assert.deepStrictEqual(minors, [...minors].sort((a, b) => a - b));
        assert.strictEqual(new Set(minors).size, minors.length);
        for (const v of EKS_KUBERNETES_VERSIONS) assert.match(v.endOfStandardSupport, /^20\d\d-[01]\d(-[0-3]\d)?$/, v.version);
    });

    it("suggests the version YAML lost a trailing zero from, once the table has it", () => {
        const parse = kubernetesVersionParser([{ version: "1.39", endOfStandardSupport: "2028-01" }, { version: "1.40", endOfStandardSupport: "2028-06" }]);
        assert.deepStrictEqual(parse("1.4", "kubernetesVersion"), {
            problems: ['kubernetesVersion: "1.4" is not an EKS version this project knows; did you mean "1.40"? Quote it in YAML, or 1.40 is read as the number 1.4'],
        });
    });

    it("lists the known versions for one in a gap of the table", () => {
        const parse = kubernetesVersionParser([{ version: "1.32", endOfStandardSupport: "2026-03-23" }, { version: "1.34", endOfStandardSupport: "2026-12-02" }]);
        assert.deepStrictEqual(parse("1.33", "kubernetesVersion"), { problems: ['kubernetesVersion: "1.33" is not an EKS version this project knows; use one of "1.32", "1.34"'] });
    });
});

interface RejectCase {
    name: string;
    config: RawConfig;
    problems: string[];
}

const LIST_FIX = (key: string) => `set it as a YAML list in Pulumi.<stack>.yaml or with \`npm run pulumi -- config set --path '${key}[0]' <value>\``;
const ARN_FORM = 'use the form "arn:aws:iam::123456789012:role/<name>" or "arn:aws:iam::123456789012:user/<name>"';
const IGNORED = (key: string) => `${key}: only applies to a cluster this program creates, so it would be ignored for the existing cluster "team-cluster"; remove it with \`npm run pulumi -- config rm ${key}\``;

const REJECTED: RejectCase[] = [
    // kubernetesVersion: exactly the versions in EKS_KUBERNETES_VERSIONS
    { name: "a patch version", config: raw({ kubernetesVersion: "1.35.2" }), problems: ['kubernetesVersion: "1.35.2" is not a Kubernetes minor version; EKS takes "1.<minor>", did you mean "1.35"?'] },
    { name: "a v-prefixed version", config: raw({ kubernetesVersion: "v1.35" }), problems: ['kubernetesVersion: "v1.35" is not a Kubernetes minor version; EKS takes "1.<minor>", did you mean "1.35"?'] },
    { name: "a minor with a leading zero", config: raw({ kubernetesVersion: "1.035" }), problems: ['kubernetesVersion: "1.035" is not a Kubernetes minor version; EKS takes "1.<minor>", did you mean "1.35"?'] },
    { name: "a malformed version of no known minor", config: raw({ kubernetesVersion: "v1.99" }), problems: [`kubernetesVersion: "v1.99" is not a Kubernetes minor version; EKS takes "1.<minor>", use one of ${KNOWN_VERSIONS}`] },
    { name: "a version that is not one", config: raw({ kubernetesVersion: "latest" }), problems: [`kubernetesVersion: "latest" is not a Kubernetes minor version; EKS takes "1.<minor>", use one of ${KNOWN_VERSIONS}`] },
    { name: "a version EKS no longer offers", config: raw({ kubernetesVersion: "1.29" }), problems: [`kubernetesVersion: "1.29" is older than EKS supports; use one of ${KNOWN_VERSIONS}`] },
    { name: "an old version whose trailing zero YAML dropped", config: raw({ kubernetesVersion: "1.3" }), problems: [`kubernetesVersion: "1.3" is older than EKS supports; use one of ${KNOWN_VERSIONS}`] },
    {
        name: "a version newer than the project knows",
        config: raw({ kubernetesVersion: "1.99" }),
        problems: [`kubernetesVersion: "1.99" is not an EKS version this project knows (${KNOWN_VERSIONS}); if EKS has released it since, add it to EKS_KUBERNETES_VERSIONS in configRules.ts`],
    },
    {
        name: "a newer version whose trailing zero YAML dropped",
        config: raw({ kubernetesVersion: "1.4" }),
        problems: [
            `kubernetesVersion: "1.4" is not an EKS version this project knows (${KNOWN_VERSIONS}); did you mean "1.40"? Quote it in YAML, or 1.40 is read as the number 1.4. ` +
                "If EKS has released 1.40 since, add it to EKS_KUBERNETES_VERSIONS in configRules.ts",
        ],
    },
    // nodeInstanceTypes
    { name: "instance types as a bare string", config: raw({ nodeInstanceTypes: "t3.large" }), problems: [`nodeInstanceTypes: "t3.large" is not a list of strings; ${LIST_FIX("nodeInstanceTypes")}`] },
    { name: "a list of numbers", config: raw({ nodeInstanceTypes: "[1,2]" }), problems: [`nodeInstanceTypes: "[1,2]" is not a list of strings; ${LIST_FIX("nodeInstanceTypes")}`] },
    { name: "no instance types", config: raw({ nodeInstanceTypes: "[]" }), problems: ["nodeInstanceTypes: [] is empty; list at least one value"] },
    { name: "a duplicated instance type", config: raw({ nodeInstanceTypes: '["t3.large","t3.large"]' }), problems: ['nodeInstanceTypes: "t3.large" is listed twice; list each value once'] },
    {
        name: "malformed instance types, each by index",
        config: raw({ nodeInstanceTypes: '["t3.medium","t3medium","T3.Large"]' }),
        problems: [
            'nodeInstanceTypes[1]: "t3medium" does not look like an EC2 instance type; use family, generation and size, e.g. "t3.medium"',
            'nodeInstanceTypes[2]: "T3.Large" does not look like an EC2 instance type; did you mean "t3.large"?',
        ],
    },
    {
        name: "instance types of two CPU architectures",
        config: raw({ nodeInstanceTypes: '["t3.medium","m7g.large"]' }),
        problems: ['nodeInstanceTypes: ["t3.medium","m7g.large"] mixes x86_64 (t3.medium) and arm64 (m7g.large); a node group runs one CPU architecture, so list only x86_64 or only arm64 (Graviton) types'],
    },
    // node counts
    { name: "a count that is not a number", config: raw({ nodeDesired: "two" }), problems: [`nodeDesired: "two" is not a whole number; ${SIZE_RULE}`] },
    { name: "a fractional count", config: raw({ nodeMax: "2.5" }), problems: [`nodeMax: "2.5" is not a whole number; ${SIZE_RULE}`] },
    { name: "a negative count", config: raw({ nodeMin: "-1" }), problems: [`nodeMin: -1 is negative; ${SIZE_RULE}`] },
    { name: "nodeMin above nodeDesired", config: raw({ nodeMin: "4" }), problems: [`nodeMin: 4 is greater than nodeDesired: 2; ${SIZE_RULE}`] },
    { name: "nodeDesired above nodeMax", config: raw({ nodeDesired: "5" }), problems: [`nodeDesired: 5 is greater than nodeMax: 3; ${SIZE_RULE}`] },
    { name: "a node group that can hold no node", config: raw({ nodeMin: "0", nodeDesired: "0", nodeMax: "0" }), problems: ["nodeMax: 0 is less than 1; the node group needs room for a node"] },
    { name: "more nodes than EKS allows in a group", config: raw({ nodeMax: "451" }), problems: ["nodeMax: 451 is more than 450, the EKS limit of nodes per managed node group"] },
    { name: "no cross-check against a count that did not parse", config: raw({ nodeMin: "x", nodeDesired: "0" }), problems: [`nodeMin: "x" is not a whole number; ${SIZE_RULE}`] },
    // clusterEndpointPublicAccessCidrs
    {
        name: "CIDRs that do not parse or are not canonical",
        config: raw({ clusterEndpointPublicAccessCidrs: '["203.0.113.0/24","10.0.0.0/33","203.0.113.5","198.51.100.7/24","300.1.1.1/8","2001:db8::/32"]' }),
        problems: [
            'clusterEndpointPublicAccessCidrs[1]: "10.0.0.0/33" is not an IPv4 CIDR; use the form "203.0.113.0/24"',
            'clusterEndpointPublicAccessCidrs[2]: "203.0.113.5" has no prefix length; did you mean "203.0.113.5/32"?',
            'clusterEndpointPublicAccessCidrs[3]: "198.51.100.7/24" has host bits set; did you mean "198.51.100.0/24"?',
            'clusterEndpointPublicAccessCidrs[4]: "300.1.1.1/8" is not an IPv4 CIDR; use the form "203.0.113.0/24"',
            'clusterEndpointPublicAccessCidrs[5]: "2001:db8::/32" is not an IPv4 CIDR; use the form "203.0.113.0/24"',
        ],
    },
    { name: "no CIDRs", config: raw({ clusterEndpointPublicAccessCidrs: "[]" }), problems: ["clusterEndpointPublicAccessCidrs: [] is empty; list at least one value"] },
    {
        name: "more CIDRs than EKS allows, and a bad one among them",
        config: raw({ clusterEndpointPublicAccessCidrs: JSON.stringify([...Array.from({ length: 40 }, (_, i) => `203.0.113.${i}/32`), "203.0.113.200"]) }),
        problems: [
            "clusterEndpointPublicAccessCidrs: 41 items is more than 40, the EKS limit of public access CIDRs per cluster; merge neighbouring ranges into wider ones",
            'clusterEndpointPublicAccessCidrs[40]: "203.0.113.200" has no prefix length; did you mean "203.0.113.200/32"?',
        ],
    },
    // clusterAdminArns
    {
        name: "admin ARNs that are not IAM roles or users",
        config: raw({
            clusterAdminArns: JSON.stringify([
                ADMIN,
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com",
                "arn:aws:iam::123456789012:root",
                "arn:aws:iam::123456789012:group/admins",
                "arn:aws:iam::12345678901:role/short-account",
                "ci-deployer",
                `arn:aws:iam::123456789012:role/${"r".repeat(65)}`,
                "arn:aws:iam::123456789012:role/has space",
            ]),
        }),
        problems: [
            'clusterAdminArns[1]: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com" is a role session, not a role; did you mean "arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_0123"?',
            'clusterAdminArns[2]: "arn:aws:iam::123456789012:root" is an account\'s root user; EKS access entries need an IAM role or user, e.g. "arn:aws:iam::123456789012:role/<name>"',
            `clusterAdminArns[3]: "arn:aws:iam::123456789012:group/admins" is not an IAM role or user ARN; ${ARN_FORM}`,
            `clusterAdminArns[4]: "arn:aws:iam::12345678901:role/short-account" is not an IAM role or user ARN; ${ARN_FORM}`,
            `clusterAdminArns[5]: "ci-deployer" is not an IAM role or user ARN; ${ARN_FORM}`,
            `clusterAdminArns[6]: "arn:aws:iam::123456789012:role/${"r".repeat(65)}" has a role name of 65 characters; IAM allows at most 64`,
            `clusterAdminArns[7]: "arn:aws:iam::123456789012:role/has space" is not an IAM role or user ARN; ${ARN_FORM}`,
        ],
    },
    { name: "an admin ARN listed twice", config: raw({ clusterAdminArns: JSON.stringify([ADMIN, ADMIN]) }), problems: [`clusterAdminArns: "${ADMIN}" is listed twice; list each value once`] },
    { name: "admin ARNs as a bare string", config: raw({ clusterAdminArns: ADMIN }), problems: [`clusterAdminArns: "${ADMIN}" is not a list of strings; ${LIST_FIX("clusterAdminArns")}`] },
    {
        name: "admin ARNs of another partition than the region's",
        config: raw({ clusterAdminArns: JSON.stringify([ADMIN, "arn:aws-cn:iam::123456789012:user/ops"]) }, { "aws:region": "cn-north-1" }),
        problems: ['clusterAdminArns[0]: "arn:aws:iam::123456789012:role/ci-deployer" is in partition "aws", but aws:region "cn-north-1" is in "aws-cn"; did you mean "arn:aws-cn:iam::123456789012:role/ci-deployer"?'],
    },
    {
        name: "a GovCloud admin ARN in a commercial region",
        config: raw({ clusterAdminArns: '["arn:aws-us-gov:iam::123456789012:role/admin"]' }),
        problems: ['clusterAdminArns[0]: "arn:aws-us-gov:iam::123456789012:role/admin" is in partition "aws-us-gov", but aws:region "us-west-2" is in "aws"; did you mean "arn:aws:iam::123456789012:role/admin"?'],
    },
    // clusterVerifierArns: validated as clusterAdminArns are, and never the same principal as an admin
    {
        name: "verifier ARNs that are not IAM roles or users (partitions are checked once every ARN reads)",
        config: raw({ clusterVerifierArns: JSON.stringify(["arn:aws:sts::123456789012:assumed-role/github-actions/run-7", "arn:aws-cn:iam::123456789012:role/ci"]) }),
        problems: [
            'clusterVerifierArns[0]: "arn:aws:sts::123456789012:assumed-role/github-actions/run-7" is a role session, not a role; did you mean "arn:aws:iam::123456789012:role/github-actions"?',
        ],
    },
    {
        name: "a verifier ARN of another partition than the region's",
        config: raw({ clusterVerifierArns: '["arn:aws-cn:iam::123456789012:role/ci"]' }),
        problems: ['clusterVerifierArns[0]: "arn:aws-cn:iam::123456789012:role/ci" is in partition "aws-cn", but aws:region "us-west-2" is in "aws"; did you mean "arn:aws:iam::123456789012:role/ci"?'],
    },
    {
        name: "a verifier that is an admin too: EKS allows one access entry per principal",
        config: raw({ clusterAdminArns: JSON.stringify([ADMIN]), clusterVerifierArns: JSON.stringify(["arn:aws:iam::123456789012:role/github-actions", ADMIN]) }),
        problems: [`clusterVerifierArns[1]: "${ADMIN}" is in clusterAdminArns too; EKS allows one access entry per principal, and a cluster admin can run verify already, so remove it from clusterVerifierArns`],
    },
    {
        name: "a verifier that is an admin under another path: the same principal to EKS",
        config: raw({ clusterAdminArns: '["arn:aws:iam::123456789012:role/ci"]', clusterVerifierArns: '["arn:aws:iam::123456789012:role/team/ci"]' }),
        problems: ['clusterVerifierArns[0]: "arn:aws:iam::123456789012:role/team/ci" is in clusterAdminArns too; EKS allows one access entry per principal, and a cluster admin can run verify already, so remove it from clusterVerifierArns'],
    },
    // stage, demos, engine
    { name: "a misspelt stage", config: raw({ stage: "deny_all" }), problems: ['stage: "deny_all" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"; did you mean "deny-all"?'] },
    { name: "a stage that is not one", config: raw({ stage: "everything" }), problems: ['stage: "everything" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"'] },
    { name: "an unknown demo", config: raw({ demos: '["stars","namespace"]' }), problems: ['demos[1]: "namespace" is not one of "stars", "namespaces"; did you mean "namespaces"?'] },
    { name: "no demos is fine, but then no stage", config: raw({ demos: "[]", stage: "final" }), problems: ['stage: "final" applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"'] },
    { name: "isolation without the namespaces demo", config: raw({ demos: '["stars"]', isolateNamespaces: "true" }), problems: ['isolateNamespaces: true applies to the namespaces demo, which demos does not include; add "namespaces" to demos or set it to false'] },
    { name: "a boolean that is not one", config: raw({ isolateNamespaces: "yes" }), problems: ['isolateNamespaces: "yes" is not a boolean; use true or false'] },
    { name: "an unknown policy engine", config: raw({ policyEngine: "cilium" }), problems: ['policyEngine: "cilium" is not one of "calico", "vpc-cni", "none"'] },
    {
        name: "a policy stage with no policy engine",
        config: raw({ policyEngine: "none", stage: "final" }),
        problems: ['stage: "final" needs a policy engine, but policyEngine is "none"; set stage to "open" (`npm run pulumi -- config set stage open`) or choose calico or vpc-cni'],
    },
    {
        name: "isolated namespaces with no policy engine",
        config: raw({ policyEngine: "none", isolateNamespaces: "true" }),
        problems: ['isolateNamespaces: true needs a policy engine, but policyEngine is "none"; set it to false (`npm run pulumi -- config set isolateNamespaces false`) or choose calico or vpc-cni'],
    },
    {
        name: "a stage without its demo, with no policy engine: one problem, whose fix fixes both",
        config: raw({ policyEngine: "none", demos: '["namespaces"]', stage: "allow-ui" }),
        problems: ['stage: "allow-ui" applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"'],
    },
    { name: "a Calico version without its v", config: raw({ calicoVersion: "3.31.7" }), problems: ['calicoVersion: "3.31.7" is not a Calico release; use a tigera-operator chart version such as "v3.31.7"; did you mean "v3.31.7"?'] },
    { name: "a Calico version too old", config: raw({ calicoVersion: "v3.27.3" }), problems: ['calicoVersion: "v3.27.3" is older than v3.30.0, the oldest release this project installs'] },
    // teardown and bring-your-own-cluster
    { name: "a recycle timeout out of range", config: raw({ nodeRecycleTimeoutMinutes: "0" }), problems: ['nodeRecycleTimeoutMinutes: "0" is not a whole number of minutes from 1 to 120'] },
    { name: "a cluster name EKS would reject", config: raw({ existingClusterName: "my.cluster" }), problems: ['existingClusterName: "my.cluster" is not an EKS cluster name (letters, digits, hyphens and underscores, up to 100); leave it empty to create a cluster'] },
    {
        name: "keys for a created cluster set with an existing one, each once, valid or not (but for their defaults)",
        config: raw({
            existingClusterName: "team-cluster", kubernetesVersion: "1.99", nodeInstanceTypes: '["t3.large"]', nodeDesired: "3", nodeMin: "0", nodeMax: "4",
            clusterEndpointPublicAccessCidrs: '["203.0.113.0/24"]', clusterAdminArns: '["arn:aws:iam::123456789012:role/ci"]', clusterVerifierArns: '["arn:aws:iam::123456789012:role/gha"]', calicoVersion: "v3.31.7",
        }),
        problems: ["kubernetesVersion", "nodeInstanceTypes", "nodeDesired", "nodeMin", "nodeMax", "clusterEndpointPublicAccessCidrs", "clusterAdminArns", "clusterVerifierArns"].map(IGNORED),
    },
    {
        name: "keys for a created cluster checked as usual when the existing cluster's name is invalid",
        config: raw({ existingClusterName: "my.cluster", kubernetesVersion: "1.99" }),
        problems: [
            `kubernetesVersion: "1.99" is not an EKS version this project knows (${KNOWN_VERSIONS}); if EKS has released it since, add it to EKS_KUBERNETES_VERSIONS in configRules.ts`,
            'existingClusterName: "my.cluster" is not an EKS cluster name (letters, digits, hyphens and underscores, up to 100); leave it empty to create a cluster',
        ],
    },
    // secrets
    {
        name: "project keys stored as secrets",
        config: raw({ stage: "final", demos: '["stars"]', nodeMin: "1" }, { "aws:region": "us-west-2" }, [`${PROJECT}:stage`, `${PROJECT}:demos`]),
        problems: [
            "demos: is stored as a secret, but it is not one; set it in plain text: `npm run pulumi -- config rm demos`, then `npm run pulumi -- config set --path 'demos[0]' <value>` for each item",
            "stage: is stored as a secret, but it is not one; set it in plain text: `npm run pulumi -- config set stage <value>`",
        ],
    },
    // region, namespaces, renamed and unknown keys
    { name: "no region anywhere", config: raw({}, {}), problems: ["aws:region: not set; choose the AWS region to deploy to, e.g. `npm run pulumi -- config set aws:region us-west-2`"] },
    { name: "a malformed region", config: raw({}, { "aws:region": "us-west" }), problems: ['aws:region: "us-west" is not an AWS region name; use the form "us-west-2"'] },
    {
        name: "keys in namespaces nothing reads",
        config: raw({}, { "aws:region": "us-west-2", "ekss-netpol-lab:stage": "final", "eks-netpol-lab-:nodeMin": "1", "awss:profile": "lab", "gcp:project": "p" }),
        problems: [
            'awss:profile: nothing reads the namespace "awss", so this key would be ignored; did you mean "aws:profile"? Namespaces read: eks-netpol-lab, aws, eks, kubernetes, pulumi. Remove it with `npm run pulumi -- config rm awss:profile`',
            'eks-netpol-lab-:nodeMin: nothing reads the namespace "eks-netpol-lab-", so this key would be ignored; did you mean "eks-netpol-lab:nodeMin"? Namespaces read: eks-netpol-lab, aws, eks, kubernetes, pulumi. Remove it with `npm run pulumi -- config rm eks-netpol-lab-:nodeMin`',
            'ekss-netpol-lab:stage: nothing reads the namespace "ekss-netpol-lab", so this key would be ignored; did you mean "eks-netpol-lab:stage"? Namespaces read: eks-netpol-lab, aws, eks, kubernetes, pulumi. Remove it with `npm run pulumi -- config rm ekss-netpol-lab:stage`',
            'gcp:project: nothing reads the namespace "gcp", so this key would be ignored; Namespaces read: eks-netpol-lab, aws, eks, kubernetes, pulumi. Remove it with `npm run pulumi -- config rm gcp:project`',
        ],
    },
    {
        name: "a renamed key",
        config: raw({ recycleNodesOnCalicoRemoval: "false" }),
        problems: ["recycleNodesOnCalicoRemoval: was renamed to recycleNodesOnEngineRemoval; move its value with `npm run pulumi -- config set recycleNodesOnEngineRemoval false` and `npm run pulumi -- config rm recycleNodesOnCalicoRemoval`"],
    },
    {
        name: "a renamed key stored as a secret, whose value is not shown",
        config: raw({ recycleNodesOnCalicoRemoval: "false" }, { "aws:region": "us-west-2" }, [`${PROJECT}:recycleNodesOnCalicoRemoval`]),
        problems: ["recycleNodesOnCalicoRemoval: was renamed to recycleNodesOnEngineRemoval; move its value with `npm run pulumi -- config set recycleNodesOnEngineRemoval <value>` and `npm run pulumi -- config rm recycleNodesOnCalicoRemoval`"],
    },
    {
        name: "a misspelt key",
        config: raw({ nodeDesird: "3" }),
        problems: [`nodeDesird: not a setting of eks-netpol-lab; did you mean "nodeDesired"? Settings are: ${SETTINGS_LIST}. Remove it with \`npm run pulumi -- config rm nodeDesird\``],
    },
    {
        name: "a key that resembles nothing",
        config: raw({ colour: "blue" }),
        problems: [`colour: not a setting of eks-netpol-lab; Settings are: ${SETTINGS_LIST}. Remove it with \`npm run pulumi -- config rm colour\``],
    },
];

describe("settings: each bad value is rejected with a message that names the key, the value and the fix", () => {
    for (const tc of REJECTED) {
        it(tc.name, () => assert.deepStrictEqual(problemsOf(tc.config), tc.problems));
    }
});

describe("settings: one error lists every problem", () => {
    it("collects problems from every key into one message", () => {
        const config = raw({ nodeMin: "4", kubernetesVersion: "1.2", nodeInstanceTypes: '["t3medium"]', nodeMx: "3" }, { "ekss-netpol-lab:stage": "final" });
        let message = "";
        try {
            parseSettings(config);
        } catch (e) {
            message = (e as Error).message;
        }
        assert.strictEqual(message, [
            "Invalid stack configuration (6 problems):",
            '  - ekss-netpol-lab:stage: nothing reads the namespace "ekss-netpol-lab", so this key would be ignored; did you mean "eks-netpol-lab:stage"? Namespaces read: eks-netpol-lab, aws, eks, kubernetes, pulumi. Remove it with `npm run pulumi -- config rm ekss-netpol-lab:stage`',
            `  - nodeMx: not a setting of eks-netpol-lab; did you mean "nodeMax"? Settings are: ${SETTINGS_LIST}. Remove it with \`npm run pulumi -- config rm nodeMx\``,
            `  - kubernetesVersion: "1.2" is older than EKS supports; use one of ${KNOWN_VERSIONS}`,
            '  - nodeInstanceTypes[0]: "t3medium" does not look like an EC2 instance type; use family, generation and size, e.g. "t3.medium"',
            "  - aws:region: not set; choose the AWS region to deploy to, e.g. `npm run pulumi -- config set aws:region us-west-2`",
            `  - nodeMin: 4 is greater than nodeDesired: 2; ${SIZE_RULE}`,
            "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
        ].join("\n"));
    });

    it("says '1 problem' for one", () => {
        assert.throws(() => parseSettings(raw({ nodeMin: "4" })), /^SettingsError: Invalid stack configuration \(1 problem\):\n/);
    });
});

describe("settings: every default passes its own rules", () => {
    for (const [key, spec] of Object.entries(settingSpecs)) {
        it(key, () => {
            const text = typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
            assert.deepStrictEqual(spec.parse(text, key), { value: spec.default });
        });
    }
});

describe("settings: secrets, as the Pulumi runtime marks them", () => {
    it("stops the program before it registers anything when a project key is stored as a secret", async () => {
        const run = await runProgram(stackConfig({ stage: "final" }), [`${PROJECT}:stage`]);
        assert.deepStrictEqual(run.resources, []);
        assert.strictEqual(run.error?.message, [
            "Invalid stack configuration (1 problem):",
            "  - stage: is stored as a secret, but it is not one; set it in plain text: `npm run pulumi -- config set stage <value>`",
            "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
        ].join("\n"));
    });

    it("runs the program when only other namespaces' keys are secrets", async () => {
        const run = await runProgram(stackConfig({ "aws:secretKey": "s3cr3t" }), ["aws:secretKey"]);
        assert.strictEqual(run.error, undefined);
    });
});
