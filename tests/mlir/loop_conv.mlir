// The stride-2 convolution of tensor_conv_generic.mlir as loop.for nests over memrefs.
"builtin.module"() ({
  "func.func"() <{function_type = (memref<1x2x7x7xf32>, memref<3x2x3x3xf32>, memref<1x3x3x3xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<1x2x7x7xf32>, %arg1: memref<3x2x3x3xf32>, %arg2: memref<1x3x3x3xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 1 : index}> : () -> index
    %2 = "arith.constant"() <{value = 2 : index}> : () -> index
    %3 = "arith.constant"() <{value = 3 : index}> : () -> index
    %4 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %1, %1) ({
    ^bb0(%arg3: index):
      "loop.for"(%0, %3, %1) ({
      ^bb0(%arg4: index):
        "loop.for"(%0, %3, %1) ({
        ^bb0(%arg5: index):
          "loop.for"(%0, %3, %1) ({
          ^bb0(%arg6: index):
            %5 = "loop.for"(%0, %2, %1, %4) ({
            ^bb0(%arg7: index, %arg8: f32):
              %6 = "loop.for"(%0, %3, %1, %arg8) ({
              ^bb0(%arg9: index, %arg10: f32):
                %7 = "loop.for"(%0, %3, %1, %arg10) ({
                ^bb0(%arg11: index, %arg12: f32):
                  %8 = "arith.muli"(%arg5, %2) : (index, index) -> index
                  %9 = "arith.addi"(%8, %arg9) : (index, index) -> index
                  %10 = "arith.muli"(%arg6, %2) : (index, index) -> index
                  %11 = "arith.addi"(%10, %arg11) : (index, index) -> index
                  %12 = "loop.load"(%arg0, %arg3, %arg7, %9, %11) : (memref<1x2x7x7xf32>, index, index, index, index) -> f32
                  %13 = "loop.load"(%arg1, %arg4, %arg7, %arg9, %arg11) : (memref<3x2x3x3xf32>, index, index, index, index) -> f32
                  %14 = "arith.mulf"(%12, %13) : (f32, f32) -> f32
                  %15 = "arith.addf"(%arg12, %14) : (f32, f32) -> f32
                  "loop.yield"(%15) : (f32) -> ()
                }) : (index, index, index, f32) -> f32
                "loop.yield"(%7) : (f32) -> ()
              }) : (index, index, index, f32) -> f32
              "loop.yield"(%6) : (f32) -> ()
            }) : (index, index, index, f32) -> f32
            "loop.store"(%5, %arg2, %arg3, %arg4, %arg5, %arg6) : (f32, memref<1x3x3x3xf32>, index, index, index, index) -> ()
            "loop.yield"() : () -> ()
          }) : (index, index, index) -> ()
          "loop.yield"() : () -> ()
        }) : (index, index, index) -> ()
        "loop.yield"() : () -> ()
      }) : (index, index, index) -> ()
      "loop.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
