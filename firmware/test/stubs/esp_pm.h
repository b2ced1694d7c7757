/* Host stand-in: CONFIG_PM_ENABLE is off on the host. */
