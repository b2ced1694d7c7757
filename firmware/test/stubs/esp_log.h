/* Host stand-in: logging is not used by the code under test. */
