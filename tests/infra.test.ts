/** The pure decisions behind the infrastructure components, tested without Pulumi. */
import * as assert from "assert";
import { buildKubeconfig, clusterNameFor } from "../components/cluster";
import { pickZones, VPC_CIDR, ZONE_SUBNETS, zonePlan } from "../components/network";
import { amiTypeFor, autoScalingGroupNameOf } from "../components/nodeGroup";
import { instanceArchitecture, partitionOf } from "../awsRules";

describe("instanceArchitecture", () => {
    const cases: [string, "x86_64" | "arm64"][] = [
        ["t3.medium", "x86_64"], ["m5.xlarge", "x86_64"], ["m7i-flex.large", "x86_64"], ["c6in.large", "x86_64"],
        ["g4dn.xlarge", "x86_64"], ["m6a.large", "x86_64"], ["u-6tb1.56xlarge", "x86_64"],
        ["t4g.medium", "arm64"], ["m7g.large", "arm64"], ["c7gn.large", "arm64"], ["r8gd.large", "arm64"],
        ["im4gn.large", "arm64"], ["x2gd.large", "arm64"], ["g5g.xlarge", "arm64"], ["a1.large", "arm64"],
    ];
    for (const [type, arch] of cases) it(`${type} is ${arch}`, () => assert.strictEqual(instanceArchitecture(type), arch));
});

describe("amiTypeFor", () => {
    it("picks the AL2023 AMI of the instance types' architecture", () => {
        assert.strictEqual(amiTypeFor(["t3.medium", "m5.large"]), "AL2023_x86_64_STANDARD");
        assert.strictEqual(amiTypeFor(["t4g.medium"]), "AL2023_ARM_64_STANDARD");
    });
});

describe("partitionOf", () => {
    const cases: [string, string][] = [["us-west-2", "aws"], ["eu-central-1", "aws"], ["cn-northwest-1", "aws-cn"], ["us-gov-west-1", "aws-us-gov"]];
    for (const [region, partition] of cases) it(`${region} is in ${partition}`, () => assert.strictEqual(partitionOf(region), partition));
});

describe("autoScalingGroupNameOf", () => {
    it("reads the first Auto Scaling group EKS reports", () => {
        assert.strictEqual(autoScalingGroupNameOf([{ autoscalingGroups: [{ name: "eks-ng-1a2b" }] }]), "eks-ng-1a2b");
    });
    it("fails clearly when EKS reports none", () => {
        assert.throws(() => autoScalingGroupNameOf([]), { message: "EKS reported no Auto Scaling group for the node group (resources: [])" });
        assert.throws(() => autoScalingGroupNameOf(undefined), { message: "EKS reported no Auto Scaling group for the node group (resources: null)" });
    });
});

describe("clusterNameFor", () => {
    it("joins project and stack", () => assert.strictEqual(clusterNameFor("eks-netpol-lab", "dev"), "eks-netpol-lab-dev"));
    it("replaces characters EKS rejects and keeps within 100 characters", () => {
        assert.strictEqual(clusterNameFor("eks-netpol-lab", "team.a/dev"), "eks-netpol-lab-team-a-dev");
        assert.strictEqual(clusterNameFor("p", "s".repeat(200)).length, 100);
    });
});

describe("buildKubeconfig", () => {
    it("authenticates with `aws eks get-token` for the region, and carries no credential or profile", () => {
        const config = buildKubeconfig({ clusterName: "c", server: "https://e", certificateAuthorityData: "Q0E=", region: "eu-west-1" });
        assert.deepStrictEqual(config, {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "c", cluster: { server: "https://e", "certificate-authority-data": "Q0E=" } }],
            contexts: [{ name: "c", context: { cluster: "c", user: "c" } }],
            "current-context": "c",
            users: [{
                name: "c",
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "c", "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            }],
        });
    });
});

/** The first and last address of an IPv4 CIDR, as numbers. */
function rangeOf(cidr: string): [number, number] {
    const [address, prefix] = cidr.split("/");
    const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

describe("zone plan", () => {
    it("gives each zone subnets inside the VPC that overlap no other subnet", () => {
        const cidrs = ZONE_SUBNETS.flatMap((z) => [z.publicCidr, z.privateCidr]);
        const [vpcStart, vpcEnd] = rangeOf(VPC_CIDR);
        for (const cidr of cidrs) {
            const [start, end] = rangeOf(cidr);
            assert.ok(start >= vpcStart && end <= vpcEnd, `${cidr} is outside ${VPC_CIDR}`);
            for (const other of cidrs.filter((c) => c !== cidr)) {
                const [otherStart, otherEnd] = rangeOf(other);
                assert.ok(end < otherStart || start > otherEnd, `${cidr} overlaps ${other}`);
            }
        }
        assert.deepStrictEqual(zonePlan(2), ZONE_SUBNETS.slice(0, 2));
    });
    it("rejects zone counts EKS or the plan cannot serve", () => {
        assert.throws(() => zonePlan(1), { message: "availabilityZoneCount must be a whole number from 2 (the EKS minimum) to 3; got 1" });
        assert.throws(() => zonePlan(4), { message: "availabilityZoneCount must be a whole number from 2 (the EKS minimum) to 3; got 4" });
    });
    it("takes the first zones of the region, or says the region has too few", () => {
        assert.deepStrictEqual(pickZones(["a", "b", "c"], 2), ["a", "b"]);
        assert.throws(() => pickZones(["a"], 2), {
            message: "Found 1 availability zones that can host EKS (a); the network needs 2. Choose another aws:region.",
        });
    });
});
