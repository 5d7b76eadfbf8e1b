"""Drivers the boards need that micropython-lib does not have.

Each module does one job and imports no hardware at module level: a board
passes in its ``machine`` objects (Pin, SPI, I2C, PWM), so the logic here
(debounce, long press, date arithmetic, battery curve, pixel expansion) also
runs, and is tested, on the MicroPython unix port.  The SSD1306 OLED driver is
the project's own (micropython-lib's needs ``mip`` and the internet).
"""
