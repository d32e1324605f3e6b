// C = A @ B as loop.for nests over memrefs; the k loop carries the sum (exact order k = 0, 1, 2).
"builtin.module"() ({
  "func.func"() <{function_type = (memref<4x3xf32>, memref<3x5xf32>, memref<4x5xf32>) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<4x3xf32>, %arg1: memref<3x5xf32>, %arg2: memref<4x5xf32>):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    %1 = "arith.constant"() <{value = 1 : index}> : () -> index
    %2 = "arith.constant"() <{value = 3 : index}> : () -> index
    %3 = "arith.constant"() <{value = 4 : index}> : () -> index
    %4 = "arith.constant"() <{value = 5 : index}> : () -> index
    %5 = "arith.constant"() <{value = 0.000000e+00 : f32}> : () -> f32
    "loop.for"(%0, %3, %1) ({
    ^bb0(%arg3: index):
      "loop.for"(%0, %4, %1) ({
      ^bb0(%arg4: index):
        %6 = "loop.for"(%0, %2, %1, %5) ({
        ^bb0(%arg5: index, %arg6: f32):
          %7 = "loop.load"(%arg0, %arg3, %arg5) : (memref<4x3xf32>, index, index) -> f32
          %8 = "loop.load"(%arg1, %arg5, %arg4) : (memref<3x5xf32>, index, index) -> f32
          %9 = "arith.mulf"(%7, %8) : (f32, f32) -> f32
          %10 = "arith.addf"(%arg6, %9) : (f32, f32) -> f32
          "loop.yield"(%10) : (f32) -> ()
        }) : (index, index, index, f32) -> f32
        "loop.store"(%6, %arg2, %arg3, %arg4) : (f32, memref<4x5xf32>, index, index) -> ()
        "loop.yield"() : () -> ()
      }) : (index, index, index) -> ()
      "loop.yield"() : () -> ()
    }) : (index, index, index) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
