/*
 * The free-text extractor (importers/extract.h) on sentences taken from
 * the FMTI 2025 and May 2024 transparency reports, and on the traps that
 * must give no value: ranges, upper bounds, two different figures, rates,
 * numbers inside model names, years.
 */
#include "importers/extract.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void
expect_qty(const char *text, enum mf_extract_kind kind, double amount,
           const char *unit, const char *basis)
{
	struct mf_extract_qty q;
	enum mf_extract_result r = mf_extract_quantity(text, kind, &q);

	if (r != MF_EXTRACT_ONE)
		fail_msg("no single value (%d) in: %s", (int)r, text);
	if (fabs(q.amount - amount) > 1e-9 * amount)
		fail_msg("%g, expected %g in: %s", q.amount, amount, text);
	assert_string_equal(q.unit, unit);
	if (basis == NULL)
		assert_null(q.basis);
	else
		assert_string_equal(q.basis, basis);
}

static void
expect_no_qty(const char *text, enum mf_extract_kind kind,
              enum mf_extract_result want)
{
	struct mf_extract_qty q;

	assert_int_equal(mf_extract_quantity(text, kind, &q), want);
}

/* Sentences from the reports that state one figure. */
static void
test_report_sentences(void **state)
{
	(void)state;
	/* IBM 2025, indicators 16, 21, 23, 26, 27 */
	expect_qty("Recent additions to the Granite family include "
	           "Granite-3-8B, which is 8B parameters in size, trained on "
	           "12T tokens, Granite-4-Tiny, which is 7B parameters in "
	           "size.  Each of these models was pre-trained on 12T tokens.",
	           MF_EXTRACT_DATA, 12e12, "tokens", NULL);
	expect_qty("We estimate Granite 3.0 8B was trained with "
	           "5.66\xc3\x97"
	           "10^23 FLOPs, this is based on a measured throughput of "
	           "6.8\xc3\x97"
	           "10^17 FLOPs/GPU-hour, and a final training run time of "
	           "832,102 hours.",
	           MF_EXTRACT_FLOP, 5.66e23, "FLOP", NULL);
	expect_qty("Granite 3.0 8B model was trained over a period of 120 "
	           "days, 832,102 NVIDIA H100 GPU-Hours.",
	           MF_EXTRACT_DURATION, 120, "days", NULL);
	expect_qty("Granite 3.0 8B model was trained over a period of 120 "
	           "days, 832,102 NVIDIA H100 GPU-Hours.",
	           MF_EXTRACT_ACC_HOURS, 832102, "hours", NULL);
	expect_qty("Granite 3.0 8B was trained with an estimated 757.0 MWh of "
	           "energy. To estimate training energy consumption, we "
	           "multiplied training GPU Hours (832,102) by a Power Usage "
	           "Effectivess (PUE) of 1.3 and a GPU power consumption of "
	           "700W.",
	           MF_EXTRACT_ENERGY, 757.0, "MWh", "estimated");
	expect_qty("To calculate the emission we use the US national average "
	           "carbon intensity factor of 0.39 kg CO2eq/KWh according to "
	           "U.S. Energy Information Administration, resulting in a "
	           "Carbon Emissions of 295.2 tCO2eq for Granite 3.0 8b.",
	           MF_EXTRACT_EMISSIONS, 295.2, "tCO2e", NULL);
	/* Writer 2025, indicators 23, 26, 27 (CO₂ with a subscript) */
	expect_qty("Our model was trained over approximately 4 weeks of "
	           "continuous training time \xe2\x80\x93 deployed in clusters "
	           "of 512 GPUs (mixed A100/H100) As such, estimated Total "
	           "Compute Time = 340,000 GPU-hours (A100 and H100)",
	           MF_EXTRACT_DURATION, 28, "days", "estimated");
	expect_qty("Energy Usage Estimate: 340,000 GPU-hours\xc3\x97"
	           "0.4 kW=\xe2\x89\x88"
	           "140 megawatt-hours (MWh)",
	           MF_EXTRACT_ENERGY, 140, "MWh", "estimated");
	expect_qty("Methodology: We used the U.S. average grid carbon "
	           "intensity of ~0.39 kg CO\xe2\x82\x82/kWh (EIA 2023). "
	           "Estimated Emissions: 140,000 kWh\xc3\x97"
	           "0.39 kg CO\xe2\x82\x82/kWh=\xe2\x89\x88"
	           "55 metric tons of CO\xe2\x82\x82 (tCO\xe2\x82\x82)",
	           MF_EXTRACT_EMISSIONS, 55, "tCO2e", "estimated");
	/* "over" is a lower bound */
	expect_qty("all models are trained on over 30 trillion tokens.",
	           MF_EXTRACT_DATA, 30e12, "tokens", "lower_bound");
	/* DeepSeek 2025 */
	expect_qty("At an economical cost of only 2.664M H800 GPU hours, we "
	           "complete the pre-training",
	           MF_EXTRACT_ACC_HOURS, 2.664e6, "hours", NULL);
	/* superscript exponents, units of bytes */
	expect_qty("about 3.8 \xc3\x97 10\xc2\xb2\xe2\x81\xb5 FLOP",
	           MF_EXTRACT_FLOP, 3.8e25, "FLOP", "estimated");
	expect_qty("The corpus is 6.4 TB of deduplicated text.",
	           MF_EXTRACT_DATA, 6.4e12, "bytes", NULL);
	expect_qty("StarCoder2-15B has 15 billion parameters.",
	           MF_EXTRACT_PARAMETERS, 15e9, "parameters", NULL);
}

/* The traps: nothing is picked. */
static void
test_traps(void **state)
{
	(void)state;
	/* ranges */
	expect_no_qty("The model saw 1-2T tokens.", MF_EXTRACT_DATA,
	              MF_EXTRACT_AMBIGUOUS);
	expect_no_qty("Training used between 500 and 600 MWh.",
	              MF_EXTRACT_ENERGY, MF_EXTRACT_AMBIGUOUS);
	expect_no_qty("from 3 to 4 trillion tokens", MF_EXTRACT_DATA,
	              MF_EXTRACT_AMBIGUOUS);
	/* upper bounds */
	expect_no_qty("up to 15 trillion tokens", MF_EXTRACT_DATA,
	              MF_EXTRACT_AMBIGUOUS);
	expect_no_qty("less than 100 tCO2e", MF_EXTRACT_EMISSIONS,
	              MF_EXTRACT_AMBIGUOUS);
	/* two different figures (Meta 2025, indicators 16 and 27) */
	expect_no_qty("Llama 4 Scout was pretrained on ~40 trillion tokens and "
	              "Llama 4 Maverick was pretrained on ~22 trillion tokens "
	              "of multimodal data",
	              MF_EXTRACT_DATA, MF_EXTRACT_AMBIGUOUS);
	expect_no_qty("Estimated total location-based greenhouse gas emissions "
	              "were 1,999 tons CO2eq for training. [...] the total "
	              "market-based greenhouse gas emissions for training were "
	              "0 tons CO2eq.",
	              MF_EXTRACT_EMISSIONS, MF_EXTRACT_AMBIGUOUS);
	/* Alibaba 2025, indicator 16: a sequence length is also counted in
	 * tokens, and the extractor does not know which figure is the
	 * data size */
	expect_no_qty("At the first pre-training stage, all Qwen3 models are "
	              "trained on over 30 trillion tokens using a sequence "
	              "length of 4,096 tokens.",
	              MF_EXTRACT_DATA, MF_EXTRACT_AMBIGUOUS);
	/* Writer 2025, indicator 21: 1.2 x 10^24 and ~1 x 10^24 */
	expect_no_qty("this is 6 \xc3\x97 5\xc3\x97"
	              "10^10 \xc3\x97 4\xc3\x97"
	              "10^12 \xe2\x89\x88 1.2 x 10^24 FLOPs, which we report "
	              "(per guidance) as ~1 x 10^24 FLOPs to one significant "
	              "figure",
	              MF_EXTRACT_FLOP, MF_EXTRACT_AMBIGUOUS);
	/* active and total parameters (Meta 2025, AI21 2025) */
	expect_no_qty("Llama 4 Scout, a 17 billion parameter model with 16 "
	              "experts; 17B (Activated) 109B (Total)",
	              MF_EXTRACT_PARAMETERS, MF_EXTRACT_AMBIGUOUS);
	expect_no_qty("Jamba 1.6 Large - 398B parameters (94B active)",
	              MF_EXTRACT_PARAMETERS, MF_EXTRACT_AMBIGUOUS);
	/* rates are not amounts */
	expect_no_qty("a measured throughput of 6.8x10^17 FLOPs/GPU-hour",
	              MF_EXTRACT_FLOP, MF_EXTRACT_NONE);
	expect_no_qty("a carbon intensity of 0.39 kg CO2eq per kWh",
	              MF_EXTRACT_EMISSIONS, MF_EXTRACT_NONE);
	/* power is not energy */
	expect_no_qty("a GPU power consumption of 700 kW", MF_EXTRACT_ENERGY,
	              MF_EXTRACT_NONE);
	/* numbers inside names, and years */
	expect_no_qty("Qwen3-235B-A22B and Granite-3-8B", MF_EXTRACT_PARAMETERS,
	              MF_EXTRACT_NONE);
	expect_no_qty("In 2023 tokens were counted differently.",
	              MF_EXTRACT_DATA, MF_EXTRACT_NONE);
	expect_qty("Trained in 2024 on 2 trillion tokens.", MF_EXTRACT_DATA,
	           2e12, "tokens", NULL);
	/* GPU-hours are not wall-clock hours */
	expect_no_qty("7.38M GPU hours of computation on H100-80GB",
	              MF_EXTRACT_DURATION, MF_EXTRACT_NONE);
	/* months cannot be converted to days */
	expect_no_qty("Training took 3 months.", MF_EXTRACT_DURATION,
	              MF_EXTRACT_AMBIGUOUS);
	/* a number followed by the unit of another kind */
	expect_no_qty("Granite-4-Small, which is 30B parameters in size",
	              MF_EXTRACT_DATA, MF_EXTRACT_NONE);
	expect_no_qty("No information provided about training compute.",
	              MF_EXTRACT_FLOP, MF_EXTRACT_NONE);
}

static void
test_hardware(void **state)
{
	char type[64];
	long count;

	(void)state;
	assert_int_equal(mf_extract_hardware("Our model was trained using 512 "
	                                     "NVIDIA H100s.",
	                                     type, sizeof(type), &count),
	                 MF_EXTRACT_ONE);
	assert_string_equal(type, "NVIDIA H100");
	assert_int_equal(count, 512);
	/* DeepSeek: hours of H800 are not a number of H800s */
	assert_int_equal(
	    mf_extract_hardware("training DeepSeek-V3 on each trillion tokens "
	                        "requires only 180K H800 GPU hours, i.e., 3.7 "
	                        "days on our cluster with 2,048 H800 GPUs.",
	                        type, sizeof(type), &count),
	    MF_EXTRACT_ONE);
	assert_string_equal(type, "H800");
	assert_int_equal(count, 2048);
	/* IBM: three models, three counts: the type, no count */
	assert_int_equal(
	    mf_extract_hardware("Our Granite 3.0 8B model was trained on 768 "
	                        "H100s; Granite 4.0 Tiny was trained on 256 "
	                        "H100s; and Granite 4.0 Small was trained on "
	                        "1024 H100s.",
	                        type, sizeof(type), &count),
	    MF_EXTRACT_ONE);
	assert_string_equal(type, "H100");
	assert_int_equal(count, -1);
	/* AI21: several types */
	assert_int_equal(
	    mf_extract_hardware("Jamba was trained using a combination of "
	                        "NVIDIA A100, NVIDIA H100 and Google TPUs v4.",
	                        type, sizeof(type), &count),
	    MF_EXTRACT_AMBIGUOUS);
	/* a year is not a count */
	assert_int_equal(mf_extract_hardware("Since 2024 H100 clusters run it.",
	                                     type, sizeof(type), &count),
	                 MF_EXTRACT_ONE);
	assert_int_equal(count, -1);
	assert_int_equal(mf_extract_hardware("No hardware was disclosed.", type,
	                                     sizeof(type), &count),
	                 MF_EXTRACT_NONE);
}

static void
test_architecture_license_date(void **state)
{
	const char *v = NULL;
	char date[11];

	(void)state;
	assert_int_equal(
	    mf_extract_architecture("The Llama 4 models are auto-regressive "
	                            "language models that use a "
	                            "mixture-of-experts (MoE) architecture",
	                            &v),
	    MF_EXTRACT_ONE);
	assert_string_equal(v, "mixture_of_experts_transformer");
	assert_int_equal(
	    mf_extract_architecture("decoder-only dense transformer; Granite "
	                            "4: hybrid mamba2-dense mixture-of-experts",
	                            &v),
	    MF_EXTRACT_AMBIGUOUS);
	assert_int_equal(mf_extract_license("The model weights are released "
	                                    "under the Apache 2.0 license.",
	                                    &v),
	                 MF_EXTRACT_ONE);
	assert_string_equal(v, "Apache-2.0");
	assert_int_equal(mf_extract_license("Code under the MIT License, "
	                                    "weights under CC BY-NC 4.0",
	                                    &v),
	                 MF_EXTRACT_AMBIGUOUS);
	assert_int_equal(mf_extract_license("MIT Media Lab", &v),
	                 MF_EXTRACT_NONE);
	assert_int_equal(mf_extract_date("Released on March 12, 2024.", date),
	                 MF_EXTRACT_ONE);
	assert_string_equal(date, "2024-03-12");
	assert_int_equal(mf_extract_date("cutoff 2023-12-01; again 1 December "
	                                 "2023",
	                                 date),
	                 MF_EXTRACT_ONE);
	assert_string_equal(date, "2023-12-01");
	assert_int_equal(
	    mf_extract_date("between 2024-01-01 and 2024-02-01", date),
	    MF_EXTRACT_AMBIGUOUS);
	assert_int_equal(mf_extract_date("in March 2024", date),
	                 MF_EXTRACT_NONE);
	assert_int_equal(mf_extract_date("on 2024-02-30", date),
	                 MF_EXTRACT_NONE);
}

static void
test_undisclosed(void **state)
{
	(void)state;
	assert_true(mf_extract_says_undisclosed("Not Disclosed"));
	assert_true(mf_extract_says_undisclosed(""));
	assert_true(mf_extract_says_undisclosed("N/A"));
	assert_true(mf_extract_says_undisclosed(
	    "No information provided about training compute, though the "
	    "technical report notes: \"Qwen3 models are trained on over 30 "
	    "trillion tokens\"."));
	assert_true(mf_extract_says_undisclosed(
	    "This information is proprietary and not disclosed publicly to "
	    "protect competitive advantages and intellectual property."));
	assert_true(mf_extract_says_undisclosed(
	    "Energy required to train Amazon Nova Premier is not disclosed."));
	assert_true(mf_extract_says_undisclosed("We do not disclose this."));
	assert_false(mf_extract_says_undisclosed(
	    "Granite 3.0 8B was trained with an estimated 757.0 MWh of "
	    "energy."));
	/* a later sentence does not undo a substantive first one */
	assert_false(mf_extract_says_undisclosed(
	    "We use licensed data from publishers. Prices are not disclosed."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_sentences),
	    cmocka_unit_test(test_traps),
	    cmocka_unit_test(test_hardware),
	    cmocka_unit_test(test_architecture_license_date),
	    cmocka_unit_test(test_undisclosed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
