"""Development tools, never used by a chamber or a customs service in production.

``samples`` (realistic certificates from a seed), ``devchain`` (a local Hardhat node), ``demo``
(the demo consortium) and ``build`` (the offline contract compile). Kept apart so the library
proper can be read, packaged and reviewed without them.
"""
