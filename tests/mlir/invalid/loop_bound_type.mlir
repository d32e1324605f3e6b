// expect 6:5: operand 'upper' has unexpected type i32
"builtin.module"() ({
  "func.func"() <{function_type = (memref<4xf32>, i32) -> (), sym_name = "main"}> ({
  ^bb0(%arg0: memref<4xf32>, %arg1: i32):
    %0 = "arith.constant"() <{value = 0 : index}> : () -> index
    "loop.for"(%0, %arg1, %0) ({
    ^bb0(%arg2: index):
      "loop.yield"() : () -> ()
    }) : (index, i32, index) -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) : () -> ()
