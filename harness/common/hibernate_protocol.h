// What the host and the guest agree on for a whole hibernation cycle
// (host/hibernate_cycle.cpp boots twice, guest/hibernate_cycle.cpp runs in
// both boots): /init runs `vswap-guest hibernate-cycle PHASE` when the
// kernel command line has vswap.hibernate=PHASE, and the agent reports on
// standard output (a serial port, since 9p does not survive a restore) in
// one line: the prefix, then a JSON object.
#pragma once

namespace vswap {

inline constexpr const char* kHibernateParam = "vswap.hibernate";
inline constexpr const char* kHibernateSuspend = "suspend";
inline constexpr const char* kHibernateResume = "resume";
inline constexpr const char* kHibernateResultPrefix = "vswap-hibernate: ";

} // namespace vswap
