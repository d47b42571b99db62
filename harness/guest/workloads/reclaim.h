// Pushing a process's swapped-out pages out of the swap cache.
//
// MADV_PAGEOUT starts write-back and replaces the page table entries with
// swap entries, but a page whose write-back is still in flight stays in the
// swap cache, where a later fault or swapoff finds it without touching the
// backend. Proactive reclaim of the caller's own cgroup (memory.reclaim)
// frees those clean swap-cache pages, so that what follows really reads
// from the swap device.
#pragma once

#include <cstdint>
#include <string>

namespace vswap {

// Asks the calling process's cgroup to reclaim up to `bytes`, again until
// the swap cache (SwapCached) is under 1% of `bytes` or 2 s have passed:
// pages still under write-back cannot be freed yet. Returns an error text,
// empty on success; a cgroup that could reclaim less (EAGAIN) is not an
// error. `left` receives what stayed in the swap cache.
std::string reclaim_own_cgroup(uint64_t bytes, uint64_t* left = nullptr);

// VmSwap of the calling process, in bytes: what it has swapped out.
uint64_t vm_swap_bytes();

} // namespace vswap
