// Scalar arith and math ops with upstream MLIR's names, operands and properties.
"builtin.module"() ({
  "func.func"() <{function_type = (f32, f32, i32, index) -> (f16, i32, i1, i32), sym_name = "main"}> ({
  ^bb0(%arg0: f32, %arg1: f32, %arg2: i32, %arg3: index):
    %0 = "arith.constant"() <{value = 1.000000e+00 : f32}> : () -> f32
    %1 = "arith.addf"(%arg0, %0) : (f32, f32) -> f32
    %2 = "arith.subf"(%1, %arg1) : (f32, f32) -> f32
    %3 = "arith.mulf"(%2, %arg0) : (f32, f32) -> f32
    %4 = "arith.divf"(%3, %arg1) : (f32, f32) -> f32
    %5 = "arith.maximumf"(%4, %arg0) : (f32, f32) -> f32
    %6 = "arith.minimumf"(%5, %arg1) : (f32, f32) -> f32
    %7 = "arith.negf"(%6) : (f32) -> f32
    %8 = "arith.cmpf"(%7, %arg0) <{predicate = 4 : i64}> : (f32, f32) -> i1
    %9 = "arith.select"(%8, %7, %arg0) : (i1, f32, f32) -> f32
    %10 = "math.exp"(%9) : (f32) -> f32
    %11 = "math.absf"(%10) : (f32) -> f32
    %12 = "math.log"(%11) : (f32) -> f32
    %13 = "math.tanh"(%12) : (f32) -> f32
    %14 = "math.erf"(%13) : (f32) -> f32
    %15 = "math.absf"(%14) : (f32) -> f32
    %16 = "math.sqrt"(%15) : (f32) -> f32
    %17 = "arith.addf"(%16, %0) : (f32, f32) -> f32
    %18 = "math.rsqrt"(%17) : (f32) -> f32
    %19 = "math.fma"(%18, %arg0, %arg1) : (f32, f32, f32) -> f32
    %20 = "math.absf"(%19) : (f32) -> f32
    %21 = "math.powf"(%20, %arg1) : (f32, f32) -> f32
    %22 = "math.floor"(%21) : (f32) -> f32
    %23 = "math.ceil"(%19) : (f32) -> f32
    %24 = "math.round"(%19) : (f32) -> f32
    %25 = "arith.extf"(%24) : (f32) -> f64
    %26 = "arith.truncf"(%25) : (f64) -> f16
    %27 = "arith.muli"(%arg2, %arg2) : (i32, i32) -> i32
    %28 = "arith.constant"() <{value = -3 : i32}> : () -> i32
    %29 = "arith.divsi"(%27, %28) : (i32, i32) -> i32
    %30 = "arith.constant"() <{value = -3 : i32}> : () -> i32
    %31 = "arith.remsi"(%27, %30) : (i32, i32) -> i32
    %32 = "arith.maxsi"(%29, %31) : (i32, i32) -> i32
    %33 = "arith.minsi"(%29, %31) : (i32, i32) -> i32
    %34 = "arith.subi"(%32, %33) : (i32, i32) -> i32
    %35 = "arith.cmpi"(%34, %arg2) <{predicate = 5 : i64}> : (i32, i32) -> i1
    %36 = "arith.sitofp"(%34) : (i32) -> f32
    %37 = "arith.mulf"(%36, %22) : (f32, f32) -> f32
    %38 = "arith.fptosi"(%37) : (f32) -> i32
    %39 = "arith.index_cast"(%arg3) : (index) -> i32
    %40 = "arith.addi"(%38, %39) : (i32, i32) -> i32
    %41 = "arith.bitcast"(%23) : (f32) -> i32
    "func.return"(%26, %40, %35, %41) : (f16, i32, i1, i32) -> ()
  }) : () -> ()
}) : () -> ()
