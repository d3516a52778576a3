/**
 * An Auto Scaling group that moves one step towards its desired size each time it is described: instances take a few
 * describes to terminate and to launch, and some can be made to never finish terminating. Shared by the tests that
 * stub the SDK clients and by the fake AWS endpoint the dynamic-provider host talks to.
 */
import { Sizes } from "../../components/recycling";

export class SimulatedGroup {
    instances: { id: string; state: string; age: number }[] = [];
    updates: Sizes[] = [];
    private launched = 0;
    /** Instance ids that never finish terminating. */
    stuck = new Set<string>();

    constructor(public sizes: Sizes, private readonly terminateTicks = 2, private readonly launchTicks = 2) {
        for (let i = 0; i < sizes.desired; i++) this.launch("InService");
    }

    private launch(state: string): void {
        this.instances.push({ id: `i-${String(++this.launched).padStart(4, "0")}`, state, age: 0 });
    }

    resize(sizes: Sizes): void {
        this.sizes = sizes;
        this.updates.push(sizes);
    }

    /** One poll's worth of progress, then the ASG's view. */
    tick(): { InstanceId: string; LifecycleState: string }[] {
        const alive = this.instances.filter((i) => !i.state.startsWith("Terminating"));
        alive.slice(this.sizes.desired).forEach((i) => Object.assign(i, { state: "Terminating", age: 0 }));
        for (let n = alive.length; n < this.sizes.desired; n++) this.launch("Pending");
        for (const i of this.instances) i.age++;
        this.instances = this.instances.filter((i) => !(i.state === "Terminating" && i.age > this.terminateTicks && !this.stuck.has(i.id)));
        for (const i of this.instances) if (i.state === "Pending" && i.age > this.launchTicks) i.state = "InService";
        return this.instances.map((i) => ({ InstanceId: i.id, LifecycleState: i.state }));
    }

    /** The ids of the instances in service now, without a tick. */
    inService(): string[] {
        return this.instances.filter((i) => i.state === "InService").map((i) => i.id);
    }
}
