// expect 5:5: attribute 'predicate' must be
"builtin.module"() ({
  "func.func"() <{function_type = (f32, f32) -> i1, sym_name = "main"}> ({
  ^bb0(%arg0: f32, %arg1: f32):
    %0 = "arith.cmpf"(%arg0, %arg1) <{predicate = 99 : i64}> : (f32, f32) -> i1
    "func.return"(%0) : (i1) -> ()
  }) : () -> ()
}) : () -> ()
