// Hardhat 2: the local development chain, and an offline compile with the npm `solc` package
// (soljson), because solc binaries cannot be downloaded here. Compiler settings live in
// contracts/solc-settings.json, shared with the Python build (origincert/devtools/build.py).
const path = require("path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");
const solcConfig = require("./contracts/solc-settings.json");

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== solcConfig.version) return runSuper(args);
  const solcPackage = require("solc/package.json");
  if (solcPackage.version !== solcConfig.version) {
    throw new Error(`npm solc is ${solcPackage.version}, contracts need ${solcConfig.version}`);
  }
  return {
    compilerPath: path.join(__dirname, "node_modules", "solc", "soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: require("solc").version(),
  };
});

module.exports = {
  solidity: { version: solcConfig.version, settings: solcConfig.settings },
  paths: { sources: "./contracts" },
  networks: {
    hardhat: {
      chainId: 31337,
      // Like a zero-gas permissioned network (Besu QBFT with gasPrice 0): no account needs funds.
      initialBaseFeePerGas: 0,
      gasPrice: 0,
      blockGasLimit: 60_000_000,
      allowUnlimitedContractSize: false,
      mining: { auto: true },
    },
  },
};
