// Process-wide FFmpeg set-up: registers capture devices (v4l2, lavfi) and network protocols. Call
// once from main (and from test fixtures) before any CameraSource opens; later calls do nothing.
#pragma once

namespace fleetclip {

void InitMediaLibraries();

}  // namespace fleetclip
