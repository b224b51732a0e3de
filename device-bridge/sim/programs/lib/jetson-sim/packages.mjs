// The simulated board's package archive and dpkg database. Versions follow the board's JetPack
// (L4T, CUDA, TensorRT) where NVIDIA ships them; Ubuntu's packages use one release's versions.

const CODENAMES = { 4: "bionic", 5: "focal", 6: "jammy", 7: "noble" };

/** Per JetPack generation: TensorRT, cuDNN, OpenCV and VPI packages as NVIDIA names them. */
const NVIDIA_LIBS = {
  4: { nvinfer: ["libnvinfer8", "8.2.1-1+cuda10.2"], cudnn: ["libcudnn8", "8.2.1.32-1+cuda10.2"], opencv: "4.1.1-2-gd5a58aa75", vpi: ["libnvvpi1", "1.2.3"] },
  5: { nvinfer: ["libnvinfer8", "8.5.2-1+cuda11.4"], cudnn: ["libcudnn8", "8.6.0.166-1+cuda11.4"], opencv: "4.5.4-8-g3e4c170df4", vpi: ["libnvvpi2", "2.2.7"] },
  6: { nvinfer: ["libnvinfer10", "10.3.0.30-1+cuda12.5"], cudnn: ["libcudnn9-cuda-12", "9.3.0.75-1"], opencv: "4.8.0-1-g6371ee1", vpi: ["libnvvpi3", "3.2.4"] },
  7: { nvinfer: ["libnvinfer10", "10.13.3.9-1+cuda13.0"], cudnn: ["libcudnn9-cuda-13", "9.12.0.46-1"], opencv: "4.8.0-1-g6371ee1", vpi: ["libnvvpi4", "4.0.2"] },
};

export function codename(board) {
  return CODENAMES[board.generation];
}

/** "r36.4": the suite of NVIDIA's Jetson repository for this L4T release. */
export function nvidiaSuite(board) {
  return `r${board.l4t.major}.${board.l4t.revision.split(".")[0]}`;
}

/** "t234": the SoC's folder in NVIDIA's repository. */
export function socFolder(board) {
  return `t${board.compatible.at(-1).replace("nvidia,tegra", "")}`;
}

/**
 * The archive: name -> { version, summary, sizeKiB, depends, origin, installed?, newer? (a version the
 * lists show only after apt-get update), question? (a debconf question asked while configuring) }.
 */
export function archive(board) {
  const l4t = `${board.l4t.major}.${board.l4t.revision}-20250107174145`;
  const [cudaMajor, cudaMinor] = board.cuda.split(".");
  const libs = NVIDIA_LIBS[board.generation];
  const nvidia = (version, summary, sizeKiB, depends = []) => ({ version, summary, sizeKiB, depends, origin: "nvidia", installed: version });
  const ubuntu = (version, summary, sizeKiB, extra = {}) => ({ version, summary, sizeKiB, depends: [], origin: "ubuntu", ...extra });
  return {
    "nvidia-l4t-core": nvidia(l4t, "NVIDIA Core Package", 10_292),
    "nvidia-l4t-kernel": nvidia(`${board.kernelRelease.replace(/-tegra$/, "")}-tegra-${l4t}`, "NVIDIA Kernel Package", 180_428, ["nvidia-l4t-core"]),
    "nvidia-l4t-camera": nvidia(l4t, "NVIDIA Camera Package", 8_612, ["nvidia-l4t-core"]),
    [`cuda-cudart-${cudaMajor}-${cudaMinor}`]: nvidia(`${board.cuda}-1`, "CUDA Runtime native Libraries", 1_024),
    [libs.nvinfer[0]]: nvidia(libs.nvinfer[1], "TensorRT runtime libraries", 1_476_904),
    [libs.cudnn[0]]: nvidia(libs.cudnn[1], "cuDNN runtime libraries", 1_113_520),
    libopencv: nvidia(libs.opencv, "Open Computer Vision Library", 48_700),
    "libopencv-dev": nvidia(libs.opencv, "Open Computer Vision Library", 6_744, ["libopencv"]),
    [libs.vpi[0]]: nvidia(libs.vpi[1], "NVIDIA VPI shared library", 38_020),
    "nvidia-container-toolkit-base": { ...nvidia("1.17.3-1", "NVIDIA Container Toolkit Base", 14_020), installed: "1.16.2-1" },
    "nvidia-container-toolkit": { ...nvidia("1.17.3-1", "NVIDIA Container toolkit", 5_712, ["nvidia-container-toolkit-base"]), installed: "1.16.2-1" },
    libssl3: ubuntu("3.0.2-0ubuntu1.15", "Secure Sockets Layer toolkit - shared libraries", 5_800, { installed: "3.0.2-0ubuntu1.14" }),
    openssl: ubuntu("3.0.2-0ubuntu1.15", "Secure Sockets Layer toolkit - cryptographic utility", 2_062, { installed: "3.0.2-0ubuntu1.14", depends: ["libssl3"] }),
    libcurl4: ubuntu("7.81.0-1ubuntu1.16", "easy-to-use client-side URL transfer library (OpenSSL flavour)", 832, { installed: "7.81.0-1ubuntu1.16", newer: "7.81.0-1ubuntu1.18" }),
    curl: ubuntu("7.81.0-1ubuntu1.16", "command line tool for transferring data with URL syntax", 453, { installed: "7.81.0-1ubuntu1.16", newer: "7.81.0-1ubuntu1.18", depends: ["libcurl4"] }),
    python3: ubuntu("3.10.6-1~22.04.1", "interactive high-level object-oriented language (default python3 version)", 96, { installed: "3.10.6-1~22.04.1" }),
    "python3.10": ubuntu("3.10.12-1~22.04.9", "Interactive high-level object-oriented language (version 3.10)", 638, { installed: "3.10.12-1~22.04.9" }),
    nano: ubuntu("6.2-1", "small, friendly text editor inspired by Pico", 868, { installed: "6.2-1" }),
    nginx: ubuntu("1.18.0-6ubuntu14.5", "small, powerful, scalable web/proxy server", 1_470, { installed: "1.18.0-6ubuntu14.5" }),
    "man-db": ubuntu("2.10.2-1", "tools for reading manual pages", 2_808, { installed: "2.10.2-1" }),
    htop: ubuntu("3.0.5-7build2", "interactive processes viewer", 342, { depends: ["libnl-genl-3-200"] }),
    "libnl-genl-3-200": ubuntu("3.5.0-0.1", "library for dealing with netlink sockets - generic netlink", 63),
    iperf3: ubuntu("3.9-1", "Internet Protocol bandwidth measuring tool", 55, { depends: ["libiperf0"], question: "Start Iperf3 as a daemon automatically? [yes/no]" }),
    libiperf0: ubuntu("3.9-1", "Internet Protocol bandwidth measuring tool (runtime files)", 220),
    tmux: ubuntu("3.2a-4ubuntu0.2", "terminal multiplexer", 1_070),
  };
}

/**
 * The packages apt means by a name on its command line: the package of that exact name; failing
 * that, a name holding `.`, `?` or `*` is a regular expression (unanchored) matched against every
 * name, as apt-get(8) says; otherwise none.
 */
export function packagesNamed(packages, name) {
  if (packages[name]) return [name];
  if (!/[.?*]/.test(name)) return [];
  const pattern = new RegExp(name);
  return Object.keys(packages)
    .filter((candidateName) => pattern.test(candidateName))
    .sort();
}

/** The version apt would install: lists refreshed by apt-get update may know a newer one. */
export function candidate(pkg, admin) {
  return admin.listsUpdatedAt !== null && pkg.newer ? pkg.newer : pkg.version;
}

/** The dpkg database at first boot: name -> { version, status ("ii " installed, "rc " removed, configuration kept) }. */
export function initialDatabase(board) {
  return Object.fromEntries(
    Object.entries(archive(board))
      .filter(([, pkg]) => pkg.installed !== undefined)
      .map(([name, pkg]) => [name, { version: pkg.installed, status: "ii " }]),
  );
}

export function isInstalled(admin, name) {
  return admin.dpkg[name]?.status === "ii ";
}

/** Installed packages the lists offer a newer version of. */
export function upgradable(board, admin) {
  const packages = archive(board);
  return Object.keys(admin.dpkg)
    .filter((name) => isInstalled(admin, name) && packages[name] && candidate(packages[name], admin) !== admin.dpkg[name].version)
    .sort();
}

/** The suites `apt list` names for a package's candidate. */
export function origins(board, pkg) {
  const name = codename(board);
  return pkg.origin === "nvidia" ? ["stable"] : [`${name}-updates`, `${name}-security`];
}
