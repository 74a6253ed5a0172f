// Process-wide FFmpeg set-up. Call InitMediaLibraries once from main (and from test fixtures)
// before any CameraSource opens; later calls do nothing.
#pragma once

#include <string>

namespace fleetclip {

// Network protocols (rtsp, udp, …) and FFmpeg's log level.
void InitMediaLibraries();

// Capture devices (v4l2, lavfi, alsa, …) are libavdevice's, and libavdevice pulls in libavfilter
// and with it ~80 more shared libraries (flite's voices, librsvg, libopenmpt) that a daemon
// reading cameras over the network or from files never calls: megabytes of RSS and most of each
// process start. So it is not linked: the first camera whose input_format libavformat alone does
// not know (or whose url is a /dev node) loads it with dlopen and registers its devices.
// Thread-safe, loads at most once; returns "" or why libavdevice could not be loaded.
std::string LoadCaptureDevices();

}  // namespace fleetclip
