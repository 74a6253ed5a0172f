#include "common/log.h"

#include <catch2/catch.hpp>

namespace fleetclip {

TEST_CASE("Log lines carry a syslog priority prefix and key=value fields") {
  MemoryLogSink sink;
  Logger log(sink);
  log.Warn("packet_dropped", {{"camera", "front"}, {"bytes", 1234}, {"ok", false}});
  REQUIRE(sink.Lines() ==
          std::vector<std::string>{"<4>event=packet_dropped camera=front bytes=1234 ok=false"});
}

TEST_CASE("Values with spaces, quotes or control characters are quoted and escaped") {
  MemoryLogSink sink;
  Logger log(sink);
  log.Error("open_failed", {{"reason", "No such \"file\"\n"}, {"empty", ""}});
  REQUIRE(sink.Lines()[0] == R"(<3>event=open_failed reason="No such \"file\"\n" empty="")");
}

TEST_CASE("Records below the minimum level are not written") {
  MemoryLogSink sink;
  Logger log(sink, LogLevel::kInfo);
  log.Debug("noise");
  log.Info("kept");
  REQUIRE(sink.Lines().size() == 1);
}

TEST_CASE("A child logger adds its fixed fields after the event") {
  MemoryLogSink sink;
  Logger log(sink);
  Logger cam = log.WithFields({{"camera", "rear"}});
  cam.Info("opened", {{"url", "x.mp4"}});
  REQUIRE(sink.Lines()[0] == "<6>event=opened camera=rear url=x.mp4");
}

}  // namespace fleetclip
