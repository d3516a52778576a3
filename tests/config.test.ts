import * as assert from "assert";
import { parseSettings, RawConfig, Settings, SettingsError, settingSpecs } from "../config";

const PROJECT = "eks-netpol-lab";

/** A raw stack config with the dev region and `overrides` under the project namespace. */
function raw(overrides: Record<string, string> = {}, extra: Record<string, string> = { "aws:region": "us-west-2" }): RawConfig {
    const config: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(overrides)) config[`${PROJECT}:${key}`] = value;
    return { project: PROJECT, config, env: {} };
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

describe("settings: valid configuration", () => {
    it("defaults every project key when the stack sets none", () => {
        const expected: Settings = {
            kubernetesVersion: "1.35",
            nodeInstanceTypes: ["t3.medium"],
            nodeDesired: 2,
            nodeMin: 1,
            nodeMax: 3,
            clusterEndpointPublicAccessCidrs: ["0.0.0.0/0"],
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

    it("parses every key from the strings Pulumi hands over", () => {
        const settings = parseSettings(raw({
            kubernetesVersion: "1.34",
            nodeInstanceTypes: '["m7g.large","c7g.xlarge"]',
            nodeDesired: "0",
            nodeMin: "0",
            nodeMax: "1",
            clusterEndpointPublicAccessCidrs: '["203.0.113.0/24","198.51.100.7/32"]',
            policyEngine: "vpc-cni",
            calicoVersion: "v3.32.1",
            demos: '["stars"]',
            stage: "allow-backend",
            isolateNamespaces: "false",
            recycleNodesOnEngineRemoval: "false",
            nodeRecycleTimeoutMinutes: "45",
            existingClusterName: "team-cluster",
        }));
        assert.deepStrictEqual(settings, {
            kubernetesVersion: "1.34",
            nodeInstanceTypes: ["m7g.large", "c7g.xlarge"],
            nodeDesired: 0,
            nodeMin: 0,
            nodeMax: 1,
            clusterEndpointPublicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
            policyEngine: "vpc-cni",
            calicoVersion: "v3.32.1",
            demos: ["stars"],
            stage: "allow-backend",
            isolateNamespaces: false,
            recycleNodesOnEngineRemoval: false,
            nodeRecycleTimeoutMinutes: 45,
            existingClusterName: "team-cluster",
            region: "us-west-2",
        });
    });

    it("takes the region from AWS_REGION, then AWS_DEFAULT_REGION, when aws:region is unset (as the AWS provider does)", () => {
        const base = raw({}, {});
        assert.strictEqual(parseSettings({ ...base, env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" } }).region, "eu-west-1");
        assert.strictEqual(parseSettings({ ...base, env: { AWS_DEFAULT_REGION: "ap-south-1" } }).region, "ap-south-1");
        assert.strictEqual(parseSettings({ ...raw(), env: { AWS_REGION: "eu-west-1" } }).region, "us-west-2");
    });

    it("ignores keys of other namespaces", () => {
        assert.doesNotThrow(() => parseSettings(raw({}, { "aws:region": "us-west-2", "kubernetes:enableServerSideApply": "true" })));
    });
});

interface RejectCase {
    name: string;
    config: RawConfig;
    problems: string[];
}

const REJECTED: RejectCase[] = [
    // kubernetesVersion
    { name: "a patch version", config: raw({ kubernetesVersion: "1.35.2" }), problems: ['kubernetesVersion: "1.35.2" is not a Kubernetes minor version; EKS takes "1.<minor>", did you mean "1.35"?'] },
    { name: "a v-prefixed version", config: raw({ kubernetesVersion: "v1.34" }), problems: ['kubernetesVersion: "v1.34" is not a Kubernetes minor version; EKS takes "1.<minor>", did you mean "1.34"?'] },
    { name: "a version that is not one", config: raw({ kubernetesVersion: "latest" }), problems: ['kubernetesVersion: "latest" is not a Kubernetes minor version; EKS takes "1.<minor>", use the form "1.35"'] },
    { name: "a version EKS no longer offers", config: raw({ kubernetesVersion: "1.29" }), problems: ['kubernetesVersion: "1.29" is older than EKS supports; use "1.32" or newer'] },
    { name: "a version whose trailing zero YAML dropped", config: raw({ kubernetesVersion: "1.4" }), problems: ['kubernetesVersion: "1.4" is older than EKS supports; did you mean "1.40"? Quote it in YAML, or 1.40 is read as the number 1.4'] },
    // nodeInstanceTypes
    { name: "instance types as a bare string", config: raw({ nodeInstanceTypes: "t3.large" }), problems: [`nodeInstanceTypes: "t3.large" is not a list of strings; set it as a YAML list in Pulumi.<stack>.yaml or with \`pulumi config set --path 'nodeInstanceTypes[0]' <value>\``] },
    { name: "a list of numbers", config: raw({ nodeInstanceTypes: "[1,2]" }), problems: [`nodeInstanceTypes: "[1,2]" is not a list of strings; set it as a YAML list in Pulumi.<stack>.yaml or with \`pulumi config set --path 'nodeInstanceTypes[0]' <value>\``] },
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
    // stage, demos, engine
    { name: "a misspelt stage", config: raw({ stage: "deny_all" }), problems: ['stage: "deny_all" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"; did you mean "deny-all"?'] },
    { name: "a stage that is not one", config: raw({ stage: "everything" }), problems: ['stage: "everything" is not one of "open", "deny-all", "allow-ui", "allow-backend", "final"'] },
    { name: "an unknown demo", config: raw({ demos: '["stars","namespace"]' }), problems: ['demos[1]: "namespace" is not one of "stars", "namespaces"; did you mean "namespaces"?'] },
    { name: "no demos is fine, but then no stage", config: raw({ demos: "[]", stage: "final" }), problems: ['stage: "final" applies to the stars demo, which demos does not include; add "stars" to demos or set stage to "open"'] },
    { name: "isolation without the namespaces demo", config: raw({ demos: '["stars"]', isolateNamespaces: "true" }), problems: ['isolateNamespaces: true applies to the namespaces demo, which demos does not include; add "namespaces" to demos or set it to false'] },
    { name: "a boolean that is not one", config: raw({ isolateNamespaces: "yes" }), problems: ['isolateNamespaces: "yes" is not a boolean; use true or false'] },
    { name: "an unknown policy engine", config: raw({ policyEngine: "cilium" }), problems: ['policyEngine: "cilium" is not one of "calico", "vpc-cni"'] },
    { name: "a Calico version without its v", config: raw({ calicoVersion: "3.31.7" }), problems: ['calicoVersion: "3.31.7" is not a Calico release; use a tigera-operator chart version such as "v3.31.7"; did you mean "v3.31.7"?'] },
    { name: "a Calico version too old", config: raw({ calicoVersion: "v3.27.3" }), problems: ['calicoVersion: "v3.27.3" is older than v3.30.0, the oldest release this project installs'] },
    // teardown and bring-your-own-cluster
    { name: "a recycle timeout out of range", config: raw({ nodeRecycleTimeoutMinutes: "0" }), problems: ['nodeRecycleTimeoutMinutes: "0" is not a whole number of minutes from 1 to 120'] },
    { name: "a cluster name EKS would reject", config: raw({ existingClusterName: "my.cluster" }), problems: ['existingClusterName: "my.cluster" is not an EKS cluster name (letters, digits, hyphens and underscores, up to 100); leave it empty to create a cluster'] },
    // region and unknown keys
    { name: "no region anywhere", config: raw({}, {}), problems: ["aws:region: not set; choose the AWS region to deploy to, e.g. `pulumi config set aws:region us-west-2`"] },
    { name: "a malformed region", config: raw({}, { "aws:region": "us-west" }), problems: ['aws:region: "us-west" is not an AWS region name; use the form "us-west-2"'] },
    {
        name: "a misspelt key",
        config: raw({ nodeDesird: "3" }),
        problems: ['nodeDesird: not a setting of eks-netpol-lab; did you mean "nodeDesired"? Settings are: kubernetesVersion, nodeInstanceTypes, nodeDesired, nodeMin, nodeMax, clusterEndpointPublicAccessCidrs, policyEngine, calicoVersion, demos, stage, isolateNamespaces, recycleNodesOnEngineRemoval, nodeRecycleTimeoutMinutes, existingClusterName. Remove it with `pulumi config rm nodeDesird`'],
    },
    {
        name: "a key that resembles nothing",
        config: raw({ colour: "blue" }),
        problems: ["colour: not a setting of eks-netpol-lab; Settings are: kubernetesVersion, nodeInstanceTypes, nodeDesired, nodeMin, nodeMax, clusterEndpointPublicAccessCidrs, policyEngine, calicoVersion, demos, stage, isolateNamespaces, recycleNodesOnEngineRemoval, nodeRecycleTimeoutMinutes, existingClusterName. Remove it with `pulumi config rm colour`"],
    },
];

describe("settings: each bad value is rejected with a message that names the key, the value and the fix", () => {
    for (const tc of REJECTED) {
        it(tc.name, () => assert.deepStrictEqual(problemsOf(tc.config), tc.problems));
    }
});

describe("settings: one error lists every problem", () => {
    it("collects problems from every key into one message", () => {
        const config = raw({ nodeMin: "4", kubernetesVersion: "1.2", nodeInstanceTypes: '["t3medium"]', nodeMx: "3" }, {});
        let message = "";
        try {
            parseSettings(config);
        } catch (e) {
            message = (e as Error).message;
        }
        assert.strictEqual(message, [
            "Invalid stack configuration (5 problems):",
            '  - nodeMx: not a setting of eks-netpol-lab; did you mean "nodeMax"? Settings are: kubernetesVersion, nodeInstanceTypes, nodeDesired, nodeMin, nodeMax, clusterEndpointPublicAccessCidrs, policyEngine, calicoVersion, demos, stage, isolateNamespaces, recycleNodesOnEngineRemoval, nodeRecycleTimeoutMinutes, existingClusterName. Remove it with `pulumi config rm nodeMx`',
            '  - kubernetesVersion: "1.2" is older than EKS supports; use "1.32" or newer',
            '  - nodeInstanceTypes[0]: "t3medium" does not look like an EC2 instance type; use family, generation and size, e.g. "t3.medium"',
            "  - aws:region: not set; choose the AWS region to deploy to, e.g. `pulumi config set aws:region us-west-2`",
            `  - nodeMin: 4 is greater than nodeDesired: 2; ${SIZE_RULE}`,
            "Fix each with `pulumi config set <key> <value>` (lists: `pulumi config set --path '<key>[0]' <value>`), then run again.",
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
