#include "guest/tests/workloads.h"

#include "guest/tests/memory.h"

#include <atomic>
#include <thread>

namespace vswap::tests {
namespace {

struct Stage {
    std::atomic<int> verified{0};
    std::atomic<int> release{0};
};

uint64_t read_or_zero(const Cgroup& cg, const std::string& file) {
    auto value = sysfs::read_u64_if_exists(cg.path() / file);
    return value.value_or(0);
}

} // namespace

PressureRun run_pressure(TestContext& ctx, const PressureOptions& o) {
    Cgroup cg(ctx.cgroup_root(), o.cgroup);
    if (o.memory_max)
        cg.set("memory.max", std::to_string(o.memory_max));
    if (o.memory_high)
        cg.set("memory.high", std::to_string(o.memory_high));
    if (o.swap_max)
        cg.set("memory.swap.max", std::to_string(*o.swap_max));
    if (o.zswap_max)
        cg.set("memory.zswap.max", std::to_string(*o.zswap_max));
    if (o.zswap_writeback)
        cg.set("memory.zswap.writeback", *o.zswap_writeback ? "1" : "0");

    PressureRun run;
    Shared<Stage> stage;
    auto before = sysfs::read_vmstat();
    ChildProcess child(
        [&]() -> int {
            Mapping m = Mapping::anonymous(o.bytes);
            const size_t pages = m.pages();
            if (o.mixed)
                fill_mixed(m.data(), pages, o.seed);
            else
                fill_pages(m.data(), pages, o.content, o.seed);
            if (o.mixed)
                require_mixed_intact(m.data(), pages, o.seed, "after swap-in");
            else
                require_intact(m.data(), pages, o.content, o.seed, "after swap-in");
            stage->verified = 1;
            while (!stage->release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            if (o.verify_again) {
                if (o.mixed)
                    require_mixed_intact(m.data(), pages, o.seed, "verified again");
                else
                    require_intact(m.data(), pages, o.content, o.seed, "verified again");
            }
            return 0;
        },
        cg.path());
    bool held = wait_until(
        [&] {
            if (o.sample)
                o.sample(cg);
            return stage->verified.load() || child.poll().has_value();
        },
        o.timeout_s, 0.01);
    if (held && stage->verified) {
        run.verified = true;
        run.stat_held = cg.stat();
        run.current_held = read_or_zero(cg, "memory.current");
        if (o.while_held)
            o.while_held(cg);
    }
    stage->release = 1;
    run.exit = child.wait(held ? o.timeout_s : 0.1);
    if (!held)
        run.exit.timed_out = true;
    run.vmstat_delta = sysfs::counter_delta(before, sysfs::read_vmstat());
    run.events = cg.events();
    if (auto text = sysfs::read_text_if_exists(cg.path() / "memory.swap.events"))
        run.swap_events = sysfs::parse_key_values(*text, "memory.swap.events");
    wait_until([&] { return read_or_zero(cg, "memory.swap.current") == 0; }, 5, 0.05);
    wait_until([&] { return read_or_zero(cg, "memory.zswap.current") == 0; }, 5, 0.05);
    run.swap_current_after = read_or_zero(cg, "memory.swap.current");
    run.zswap_current_after = read_or_zero(cg, "memory.zswap.current");
    run.peak = read_or_zero(cg, "memory.peak");
    run.swap_peak = read_or_zero(cg, "memory.swap.peak");
    return run;
}

void require_clean(const PressureRun& run, const std::string& what) {
    if (run.exit.timed_out)
        fail(what + ": the workload did not finish (hang?)");
    if (!run.exit.ok())
        fail(what + ": the workload " + run.exit.describe());
    require(run.verified, what + ": the workload did not verify its data");
}

} // namespace vswap::tests
