// The CAN lines of `fleetclip status` (cli/can_status.h) for a bus with checks.
#include "cli/can_status.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace fleetclip::cli {

TEST_CASE("Status shows an unhealthy bus with its check counts and its checked messages") {
  proto::DaemonStatus s;
  proto::CanBusStatus* b = s.add_can();
  b->set_interface("can0");
  b->set_frames(400);
  b->set_translated(392);
  b->set_counter_skips(3);
  b->set_bad_checksums(8);
  b->set_unhealthy(true);
  proto::CanMessageStatus* m = b->add_messages();
  m->set_name("ESP_21");
  m->set_id(0x100);
  m->set_checked(true);
  m->set_frames(400);
  m->set_counter_skips(3);
  m->set_bad_checksums(8);
  b->set_messages_omitted(2);
  std::ostringstream out;
  PrintCanBuses(s, out);
  CHECK(out.str() ==
        "  can can0         UNHEALTHY  frames 400  translated 392  unknown ids 0  out of range 0  "
        "out of order 0  counter skips 3  bad checksums 8 (dropped)\n"
        "    message ESP_21                   0x100 checked   frames 400  counter skips 3  bad "
        "checksums 8  out of range 0\n"
        "    (2 more messages not shown)\n");
}

}  // namespace fleetclip::cli
