import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One availability zone's share of the VPC: a small public subnet for the NAT gateway, a large private one for nodes. */
export interface ZoneSubnets {
    publicCidr: string;
    privateCidr: string;
}

export const VPC_CIDR = "10.0.0.0/16";

/**
 * The VPC's address plan. Private subnets are /18 (16k addresses each) because the VPC CNI gives every pod a VPC
 * address; public subnets only hold the NAT gateway (and any load balancer a user adds later), so /24 is plenty.
 */
export const ZONE_SUBNETS: readonly ZoneSubnets[] = [
    { privateCidr: "10.0.0.0/18", publicCidr: "10.0.192.0/24" },
    { privateCidr: "10.0.64.0/18", publicCidr: "10.0.193.0/24" },
    { privateCidr: "10.0.128.0/18", publicCidr: "10.0.194.0/24" },
];

/**
 * Zones where EKS cannot place a control plane (EKS user guide, "Subnet requirements"). Excluded by zone ID, which,
 * unlike the zone name, means the same zone in every account.
 */
export const ZONE_IDS_WITHOUT_EKS = ["use1-az3", "usw1-az2", "cac1-az3"];

export interface NetworkArgs {
    /** Tags every taggable resource carries besides its Name (the lab's stack tag; see labScope.ts). */
    tags: Record<string, string>;
    /**
     * How many availability zones to spread subnets over. EKS needs subnets in at least two.
     * @default 2 - two zones: the minimum EKS accepts, and the cheapest.
     */
    availabilityZoneCount?: number;
}

/**
 * A VPC for an EKS cluster: a public and a private subnet in each of N availability zones, an internet gateway for
 * the public subnets, and one NAT gateway so nodes in the private subnets can pull images. One NAT gateway, not one
 * per zone: this is a lab, and a zone outage only costs it outbound traffic.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-netpol-lab:infra:Network", name, {}, opts);
        const self = { parent: this };
        const zones = zonePlan(args.availabilityZoneCount ?? 2);
        const tags = (role: string) => ({ Name: `${name}-${role}`, ...args.tags });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: VPC_CIDR,
            enableDnsHostnames: true, // EKS nodes and the private API endpoint need DNS hostnames
            enableDnsSupport: true,
            tags: tags("vpc"),
        }, self);
        // Adopting the default security group with no rules closes it: nothing may use it by accident. Not tagged: it is
        // AWS's, not created here, and tagging an existing resource would let the lab's tag reach beyond what it made.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id }, self);

        const available = aws.getAvailabilityZonesOutput({
            state: "available",
            excludeZoneIds: ZONE_IDS_WITHOUT_EKS,
            // Local and Wavelength zones are opt-in; EKS control planes run only in regular zones.
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        }, self);
        const zoneNames = available.names.apply((names) => pickZones(names, zones.length));

        const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("igw") }, self);
        const tier = (kind: Tier, cidrs: string[], route: aws.types.input.ec2.RouteTableRoute) =>
            this.subnetTier({ name, kind, vpcId: vpc.id, zoneNames, cidrs, route, tags: args.tags });

        const publicSubnets = tier("public", zones.map((z) => z.publicCidr), { cidrBlock: "0.0.0.0/0", gatewayId: gateway.id });
        const natAddress = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc", tags: tags("nat") }, self);
        const nat = new aws.ec2.NatGateway(`${name}-nat`, {
            subnetId: publicSubnets[0].id,
            allocationId: natAddress.id,
            tags: tags("nat"),
        }, { ...self, dependsOn: [gateway] });
        const privateSubnets = tier("private", zones.map((z) => z.privateCidr), { cidrBlock: "0.0.0.0/0", natGatewayId: nat.id });

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }

    /** One route table, and a subnet per zone associated with it. */
    private subnetTier(t: {
        name: string;
        kind: Tier;
        vpcId: pulumi.Output<string>;
        zoneNames: pulumi.Output<string[]>;
        cidrs: string[];
        route: aws.types.input.ec2.RouteTableRoute;
        tags: Record<string, string>;
    }): aws.ec2.Subnet[] {
        const self = { parent: this };
        const routes = new aws.ec2.RouteTable(`${t.name}-${t.kind}-rt`, {
            vpcId: t.vpcId,
            routes: [t.route],
            tags: { Name: `${t.name}-${t.kind}-rt`, ...t.tags },
        }, self);
        return t.cidrs.map((cidrBlock, i) => {
            const subnet = new aws.ec2.Subnet(`${t.name}-${t.kind}-${i}`, {
                vpcId: t.vpcId,
                cidrBlock,
                availabilityZone: t.zoneNames[i],
                ...TIER_SUBNET_ARGS[t.kind],
                tags: { Name: `${t.name}-${t.kind}-${i}`, ...TIER_SUBNET_ARGS[t.kind].tags, ...t.tags },
            }, self);
            new aws.ec2.RouteTableAssociation(`${t.name}-${t.kind}-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, self);
            return subnet;
        });
    }
}

type Tier = "public" | "private";

/** What sets the tiers apart, besides their routes. The role tags let load balancer controllers find the subnets. */
const TIER_SUBNET_ARGS: Record<Tier, { mapPublicIpOnLaunch?: boolean; tags: Record<string, string> }> = {
    // Nothing in a public subnet needs a public address but the NAT gateway, which brings its own.
    public: { mapPublicIpOnLaunch: false, tags: { "kubernetes.io/role/elb": "1" } },
    private: { tags: { "kubernetes.io/role/internal-elb": "1" } },
};

/** The first `count` usable zones of the region, or a clear error when the region has too few. Exported for testing. */
export function pickZones(names: string[], count: number): string[] {
    if (names.length < count) {
        throw new Error(`Found ${names.length} availability zones that can host EKS (${names.join(", ") || "none"}); the network needs ${count}. Choose another aws:region.`);
    }
    return names.slice(0, count);
}

/** The address plan for `count` zones. Exported for testing. */
export function zonePlan(count: number): readonly ZoneSubnets[] {
    if (!Number.isInteger(count) || count < 2 || count > ZONE_SUBNETS.length) {
        throw new Error(`availabilityZoneCount must be a whole number from 2 (the EKS minimum) to ${ZONE_SUBNETS.length}; got ${count}`);
    }
    return ZONE_SUBNETS.slice(0, count);
}
