# lit configuration of the growstack plugin tests (tests/lit/).
#
# Substitutions:
#   %clang    clang-19 with the plugin loaded both as a pass plugin and early
#             enough (-fplugin) for -mllvm -growstack-* options to parse
#   %opt      opt-19 -load-pass-plugin=<plugin> (add -passes=growstack)
#   %llc      llc-19
#   %plugin   the plugin's path
#   %python   the Python running lit
# FileCheck and not come from the LLVM 19 tools directory.
import os

import lit.formats

config.name = "growstack-plugin"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".ll", ".c", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)

if not hasattr(config, "growstack_plugin"):
    lit_config.fatal("run lit on the build directory (tests/lit in the build "
                     "tree), where CMake wrote lit.site.cfg.py")
config.test_exec_root = config.growstack_obj_root

tools = config.llvm_tools_dir
plugin = config.growstack_plugin
config.substitutions.append(("%plugin", plugin))
config.substitutions.append(
    ("%clang", f"{tools}/clang -fplugin={plugin} -fpass-plugin={plugin} "
               "--target=x86_64-pc-linux-gnu -fno-discard-value-names"))
config.substitutions.append(("%opt", f"{tools}/opt -load-pass-plugin={plugin}"))
config.substitutions.append(("%llc", f"{tools}/llc"))
config.substitutions.append(("%python", config.python_executable))
config.environment["PATH"] = os.pathsep.join([tools, config.environment.get("PATH", "")])
