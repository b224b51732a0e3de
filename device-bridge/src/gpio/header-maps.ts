/**
 * The 40-pin header of NVIDIA's developer-kit carriers: which BOARD pins are GPIOs, on which
 * controller (by its label) and line. From NVIDIA's Jetson.GPIO (lib/python/Jetson/GPIO/gpio_pin_data.py,
 * the character-device tables); line names are the kernel's pad names (tegra186 driver), which the
 * bridge checks against gpioinfo before driving a line. JetPack 4's tegra-gpio leaves lines unnamed.
 */
export interface HeaderPin {
  pin: number;
  chip: string;
  line: number;
  lineName?: string;
  /** Signal name on the module connector. */
  signal: string;
}

export interface HeaderMap {
  name: string;
  /** Matches an entry of /proc/device-tree/compatible. */
  compatible: RegExp;
  pins: HeaderPin[];
}

/** Pins that are never GPIOs on these headers, with what they are. */
export const FIXED_PINS: ReadonlyMap<number, string> = new Map([
  [1, "3.3 V power"],
  [2, "5 V power"],
  [3, "I2C data (SDA)"],
  [4, "5 V power"],
  [5, "I2C clock (SCL)"],
  [6, "ground"],
  [8, "UART transmit (TX)"],
  [9, "ground"],
  [10, "UART receive (RX)"],
  [14, "ground"],
  [17, "3.3 V power"],
  [20, "ground"],
  [25, "ground"],
  [27, "I2C data (SDA)"],
  [28, "I2C clock (SCL)"],
  [30, "ground"],
  [34, "ground"],
  [39, "ground"],
]);

type Row = [pin: number, line: number, lineName: string | undefined, signal: string];

function pins(chip: string, rows: Row[], otherChip?: { chip: string; rows: Row[] }): HeaderPin[] {
  const toPin = (c: string) => ([pin, line, lineName, signal]: Row): HeaderPin =>
    lineName === undefined ? { pin, chip: c, line, signal } : { pin, chip: c, line, lineName, signal };
  return [...rows.map(toPin(chip)), ...(otherChip ? otherChip.rows.map(toPin(otherChip.chip)) : [])].sort((a, b) => a.pin - b.pin);
}

const AGX_ORIN = pins(
  "tegra234-gpio",
  [
    [7, 106, "PQ.06", "MCLK05"],
    [11, 112, "PR.04", "UART1_RTS"],
    [12, 50, "PH.07", "I2S2_CLK"],
    [13, 108, "PR.00", "PWM01"],
    [15, 85, "PN.01", "GPIO27"],
    [18, 43, "PH.00", "GPIO35"],
    [19, 135, "PZ.05", "SPI1_MOSI"],
    [21, 134, "PZ.04", "SPI1_MISO"],
    [22, 96, "PP.04", "GPIO17"],
    [23, 133, "PZ.03", "SPI1_CLK"],
    [24, 136, "PZ.06", "SPI1_CS0_N"],
    [26, 137, "PZ.07", "SPI1_CS1_N"],
    [35, 53, "PI.02", "I2S2_FS"],
    [36, 113, "PR.05", "UART1_CTS"],
    [38, 52, "PI.01", "I2S2_DIN"],
    [40, 51, "PI.00", "I2S2_DOUT"],
  ],
  {
    chip: "tegra234-gpio-aon",
    rows: [
      [16, 9, "PBB.01", "GPIO08"],
      [29, 1, "PAA.01", "CAN0_DIN"],
      [31, 0, "PAA.00", "CAN0_DOUT"],
      [32, 8, "PBB.00", "GPIO09"],
      [33, 2, "PAA.02", "CAN1_DOUT"],
      [37, 3, "PAA.03", "CAN1_DIN"],
    ],
  },
);

// Jetson.GPIO's JETSON_THOR_REFERENCE_PIN_DEFS: JetPack 7 names the chips tegra264-gpio-main and -aon.
const AGX_THOR = pins(
  "tegra264-gpio-main",
  [
    [7, 86, "PL.06", "MCLK05"],
    [11, 92, "PM.04", "UART1_RTS"],
    [12, 21, "PV.06", "I2S2_CLK"],
    [13, 88, "PM.00", "PWM01"],
    [15, 127, "PF.07", "GPIO27"],
    [18, 14, "PU.07", "GPIO44"],
    [19, 73, "PK.01", "SPI1_MOSI"],
    [21, 72, "PK.00", "SPI1_MISO"],
    [22, 7, "PU.00", "I2S7_DIN"],
    [23, 71, "PJ.07", "SPI1_CLK"],
    [24, 74, "PK.02", "SPI1_CS0_N"],
    [26, 75, "PK.03", "SPI1_CS1_N"],
    [35, 24, "PW.01", "I2S2_FS"],
    [36, 93, "PM.05", "UART1_CTS"],
    [38, 23, "PW.00", "I2S2_DIN"],
    [40, 22, "PV.07", "I2S2_DOUT"],
  ],
  {
    chip: "tegra264-gpio-aon",
    rows: [
      [16, 21, "PDD.03", "GPIO08"],
      [29, 1, "PAD.01", "CAN2_DIN"],
      [31, 0, "PAD.00", "CAN2_DOUT"],
      [32, 22, "PDD.04", "GPIO09"],
      [33, 2, "PAE.00", "CAN3_DOUT"],
      [37, 3, "PAE.01", "CAN3_DIN"],
    ],
  },
);

const ORIN_NX_NANO = pins("tegra234-gpio", [
  [7, 144, "PAC.06", "GPIO09"],
  [11, 112, "PR.04", "UART1_RTS"],
  [12, 50, "PH.07", "I2S0_SCLK"],
  [13, 122, "PY.00", "SPI1_SCK"],
  [15, 85, "PN.01", "GPIO12"],
  [16, 126, "PY.04", "SPI1_CS1"],
  [18, 125, "PY.03", "SPI1_CS0"],
  [19, 135, "PZ.05", "SPI0_MOSI"],
  [21, 134, "PZ.04", "SPI0_MISO"],
  [22, 123, "PY.01", "SPI1_MISO"],
  [23, 133, "PZ.03", "SPI0_SCK"],
  [24, 136, "PZ.06", "SPI0_CS0"],
  [26, 137, "PZ.07", "SPI0_CS1"],
  [29, 105, "PQ.05", "GPIO01"],
  [31, 106, "PQ.06", "GPIO11"],
  [32, 41, "PG.06", "GPIO07"],
  [33, 43, "PH.00", "GPIO13"],
  [35, 53, "PI.02", "I2S0_FS"],
  [36, 113, "PR.05", "UART1_CTS"],
  [37, 124, "PY.02", "SPI1_MOSI"],
  [38, 52, "PI.01", "I2S0_SDIN"],
  [40, 51, "PI.00", "I2S0_SDOUT"],
]);

const XAVIER_NX = pins(
  "tegra194-gpio",
  [
    [7, 118, "PS.04", "GPIO09"],
    [11, 112, "PR.04", "UART1_RTS"],
    [12, 127, "PT.05", "I2S0_SCLK"],
    [13, 149, "PY.00", "SPI1_SCK"],
    [16, 153, "PY.04", "SPI1_CS1"],
    [18, 152, "PY.03", "SPI1_CS0"],
    [19, 162, "PZ.05", "SPI0_MOSI"],
    [21, 161, "PZ.04", "SPI0_MISO"],
    [22, 150, "PY.01", "SPI1_MISO"],
    [23, 160, "PZ.03", "SPI0_SCK"],
    [24, 163, "PZ.06", "SPI0_CS0"],
    [26, 164, "PZ.07", "SPI0_CS1"],
    [29, 105, "PQ.05", "GPIO01"],
    [31, 106, "PQ.06", "GPIO11"],
    [32, 108, "PR.00", "GPIO07"],
    [33, 84, "PN.01", "GPIO13"],
    [35, 130, "PU.00", "I2S0_FS"],
    [36, 113, "PR.05", "UART1_CTS"],
    [37, 151, "PY.02", "SPI1_MOSI"],
    [38, 129, "PT.07", "I2S0_DIN"],
    [40, 128, "PT.06", "I2S0_DOUT"],
  ],
  { chip: "tegra194-gpio-aon", rows: [[15, 16, "PCC.04", "GPIO12"]] },
);

const NANO = pins("tegra-gpio", [
  [7, 216, undefined, "GPIO9"],
  [11, 50, undefined, "UART1_RTS"],
  [12, 79, undefined, "I2S0_SCLK"],
  [13, 14, undefined, "SPI1_SCK"],
  [15, 194, undefined, "GPIO12"],
  [16, 232, undefined, "SPI1_CS1"],
  [18, 15, undefined, "SPI1_CS0"],
  [19, 16, undefined, "SPI0_MOSI"],
  [21, 17, undefined, "SPI0_MISO"],
  [22, 13, undefined, "SPI1_MISO"],
  [23, 18, undefined, "SPI0_SCK"],
  [24, 19, undefined, "SPI0_CS0"],
  [26, 20, undefined, "SPI0_CS1"],
  [29, 149, undefined, "GPIO01"],
  [31, 200, undefined, "GPIO11"],
  [32, 168, undefined, "GPIO07"],
  [33, 38, undefined, "GPIO13"],
  [35, 76, undefined, "I2S0_FS"],
  [36, 51, undefined, "UART1_CTS"],
  [37, 12, undefined, "SPI1_MOSI"],
  [38, 77, undefined, "I2S0_DIN"],
  [40, 78, undefined, "I2S0_DOUT"],
]);

/** Matched against the device tree, carrier and module together: the header belongs to the carrier. */
export const HEADER_MAPS: readonly HeaderMap[] = [
  { name: "Jetson AGX Orin Developer Kit", compatible: /^nvidia,p3737-0000\+p3701-\d{4}/, pins: AGX_ORIN },
  // Jetson.GPIO's Thor carriers: p3971 (the developer kit) and p4071, with a p3834 module.
  { name: "Jetson AGX Thor Developer Kit", compatible: /^nvidia,p(?:3971-00\d\d|4071-0000)\+p3834-\d{4}/, pins: AGX_THOR },
  { name: "Jetson Orin NX / Orin Nano Developer Kit", compatible: /^nvidia,p3(?:509|768)-0000\+p3767-\d{4}/, pins: ORIN_NX_NANO },
  { name: "Jetson Xavier NX Developer Kit", compatible: /^nvidia,p3(?:509|449)-0000\+p3668-\d{4}/, pins: XAVIER_NX },
  { name: "Jetson Nano Developer Kit", compatible: /^nvidia,(?:jetson-nano|p3450-000[02])$/, pins: NANO },
];

export function headerMapFor(compatible: readonly string[]): HeaderMap | undefined {
  return HEADER_MAPS.find((map) => compatible.some((entry) => map.compatible.test(entry)));
}
